"""Everything the bot says, as Telegram HTML: claim cards, lists, history, reports, buttons.

Rules that keep hostile input harmless: every piece of user or article text goes through ``esc``
(and ``attr`` inside attributes), links are only made from http(s) URLs, and long text is cut into
messages by ``split_html``, which never cuts inside a tag or an entity and closes and reopens the
tags around each cut. ``html_to_plain`` is the fallback when Telegram still refuses the HTML.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from claims.delivery import DeliveryReport, DeliveryStats, EnqueueReport
from claims.digest import Digest, DigestItem, DigestSource
from claims.errors import InvalidArgumentError
from claims.feeds import FeedView
from claims.ingest import IngestReport
from claims.models import FeedStatus, ScheduleKind, SubscriptionStatus, TargetKind
from claims.questions import Answer, QuestionStats
from claims.schedule import Schedule
from claims.store import ClaimView, NameCount, RevisionView, SourceView, StoreStats
from claims.subscriptions import SubscribeResult, SubscriptionStats, SubscriptionView, Target

MESSAGE_LIMIT = 4096
SAFE_LIMIT = 4000
"""Chunks are measured on the HTML source (never shorter than what Telegram counts), with a margin."""
INGEST_LISTED = 12
"""New or revised claims listed after an ingest; the rest are a /claims away."""
CARD_TEXT_CHARS = 600
"""Claim text shown in answers and lists; ``/claim ID`` shows all of it."""

VERDICTS = {
    "accurate": "✅ accurate",
    "misleading": "⚠️ misleading",
    "false": "❌ false",
    "disputed": "⚖️ disputed",
    "unverified": "❔ unverified",
}


def esc(text: object) -> str:
    """User or article text made inert for HTML parse mode."""
    return html.escape(str(text), quote=False)


def attr(text: object) -> str:
    """Text made safe inside a double-quoted attribute."""
    return html.escape(str(text), quote=True)


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "…"


def link(url: str | None, label: str) -> str:
    """A link when the URL is http(s); otherwise just the (escaped) label."""
    if url and urlsplit(url).scheme in {"http", "https"}:
        return f'<a href="{attr(url)}">{esc(label)}</a>'
    return esc(label)


def fmt_date(when: datetime | None, tz: ZoneInfo, *, time: bool = False) -> str:
    if when is None:
        return "undated"
    local = when.astimezone(tz)
    return local.strftime("%-d %b %Y %H:%M" if time else "%-d %b %Y")


def said(view: ClaimView, tz: ZoneInfo) -> str:
    """When the claim was made; without a dated source, say when we recorded it instead."""
    if any(s.published_at for s in view.sources):
        return fmt_date(view.said_at, tz)
    return f"recorded {fmt_date(view.created_at, tz)}"


def verdict(value: str, note: str | None = None) -> str:
    label = VERDICTS.get(value, esc(value))
    return f"{label} — {esc(shorten(note, 300))}" if note else label


def _source(src: SourceView, tz: ZoneInfo) -> str:
    label = shorten(src.title or src.outlet or src.url or f"article {src.article_id}", 200)
    outlet = f" — {esc(shorten(src.outlet, 80))}" if src.outlet and src.title else ""
    return f"{link(src.url, label)}{outlet}, {fmt_date(src.published_at, tz)}"


def _status(view: ClaimView) -> str:
    if view.status == "retracted":
        return " · <b>retracted</b>"
    if view.status == "merged":
        return f" · <b>merged into #{view.merged_into_id}</b> (/claim {view.merged_into_id})"
    return ""


# ---------------------------------------------------------------------------- claims


def statement(view: ClaimView, limit: int | None = None) -> str:
    """The claim's words: quote marks only around words the speaker actually said (direct quotes);
    reported speech is the reporter's paraphrase and is labelled as such."""
    text = esc(shorten(view.text, limit) if limit else view.text)
    return f"“{text}”" if view.kind == "direct" else f"<i>reported:</i> {text}"


def claim_card(view: ClaimView, tz: ZoneInfo) -> str:
    """A claim in an answer or a list: who, when, what, verdict and where it was reported."""
    who = esc(view.speaker or "Unknown speaker")
    head = f"<b>{who}</b> · {said(view, tz)} · {verdict(view.verdict)}{_status(view)}"
    lines = [head, statement(view, CARD_TEXT_CHARS)]
    if src := view.first_source:
        more = f" (+{len(view.sources) - 1} more)" if len(view.sources) > 1 else ""
        lines.append(f"Source: {_source(src, tz)}{more}")
    lines.append(f"#{view.id} · /claim {view.id}")
    return "\n".join(lines)


def claim_full(view: ClaimView, revisions: int, tz: ZoneInfo, *, bot_username: str | None) -> str:
    """``/claim ID``: the whole claim, its quote, verdict, every source and how often it changed."""
    lines = [f"<b>Claim #{view.id}</b>{_status(view)}",
             f"<b>{esc(view.speaker or 'Unknown speaker')}</b> ({esc(view.kind)} statement)",
             statement(view)]
    if view.quote and view.quote != view.text:
        lines.append(f"Quote: <i>{esc(view.quote)}</i>")
    lines.append(f"Verdict: {verdict(view.verdict, view.verdict_note)}")
    if view.topic:
        lines.append(f"Topic: {esc(view.topic_name or view.topic)}")
    lines.append(f"Said: {said(view, tz)}")
    if view.sources:
        lines.append(f"\n<b>Sources ({len(view.sources)})</b>")
        lines.extend(f"{n}. {_source(s, tz)}" for n, s in enumerate(view.sources, 1))
    else:
        lines.append("Sources: none on record")
    lines.append(f"\nRevisions: {revisions} — /history {view.id}")
    if bot_username:
        lines.append(f"Share: https://t.me/{esc(bot_username)}?start=claim_{view.id}")
    return "\n".join(lines)


def answer(result: Answer, tz: ZoneInfo, *, page: int = 0) -> str:
    """The claims that answer a question, or a clear "no claim on that" with the topics we know."""
    if not result.claims:
        if page:
            return "No further claims match that question."
        return no_answer(result.question, result.known_topics)
    head = "Here is what I found:" if page == 0 else f"More results (page {page + 1}):"
    cards = [claim_card(v, tz) for v in result.claims]
    return head + "\n\n" + "\n\n".join(cards)


def no_answer(question: str, topics: Sequence[NameCount]) -> str:
    asked = esc(shorten(question, 120))
    if not topics:
        return f"I have no claim on “{asked}” — in fact I have no claims at all yet."
    known = ", ".join(esc(t.label or t.name) for t in topics[:12])
    return (f"I have no claim on “{asked}”.\n\nTopics I do know about: {known}.\n"
            "Try /topics, /speakers or /claims TOPIC.")


def claims_list(views: Sequence[ClaimView], title: str, tz: ZoneInfo) -> str:
    if not views:
        return f"No claims {esc(title)} yet."
    return f"<b>Claims {esc(title)}</b> (newest first)\n\n" + "\n\n".join(claim_card(v, tz) for v in views)


def names_list(items: Sequence[NameCount], *, kind: str) -> str:
    """``/topics`` and ``/speakers``: names with their live claim counts."""
    if not items:
        return f"No {kind} yet: no claims have been ingested."
    lines = [f"<b>{kind.capitalize()}</b> ({len(items)})"]
    for item in items:
        plural = "claim" if item.claims == 1 else "claims"
        if kind == "topics":
            lines.append(f"• {esc(item.label or item.name)} — {item.claims} {plural} · "
                         f"/claims {esc(item.name)}")
        else:
            role = f" ({esc(item.label)})" if item.label else ""
            lines.append(f"• {esc(item.name)}{role} — {item.claims} {plural}")
    return "\n".join(lines)


def history(view: ClaimView, revisions: Sequence[RevisionView], tz: ZoneInfo) -> str:
    """``/history ID``: what changed in each revision, when, and on whose authority."""
    lines = [f"<b>History of claim #{view.id}</b>{_status(view)} — {len(revisions)} revisions"]
    for rev in revisions:
        by = rev.admin_name or (f"admin {rev.admin_id}" if rev.admin_id else None)
        origin = f" by {esc(by)}" if by else (f" from {_source(rev.source, tz)}" if rev.source else "")
        lines.append(f"\n<b>r{rev.revision}</b> · {fmt_date(rev.at, tz, time=True)} · "
                     f"{esc(_change_label(rev, view))}{origin}")
        if rev.change in {"created", "imported"}:
            lines.append(f"“{esc(shorten(rev.text, 800))}”")
        if rev.old_text is not None:
            lines.append(f"was: “{esc(shorten(rev.old_text, 800))}”")
            lines.append(f"now: “{esc(shorten(rev.text, 800))}”")
        if rev.change == "verdict":
            lines.append(f"verdict: {verdict(rev.old_verdict or 'unverified')} → {verdict(rev.verdict)}")
        if rev.reason:
            lines.append(f"why: {esc(shorten(rev.reason, 500))}")
    return "\n".join(lines)


def _change_label(rev: RevisionView, view: ClaimView) -> str:
    if rev.change == "merged" and rev.related_claim_id is not None:
        if view.merged_into_id == rev.related_claim_id:
            return f"merged into #{rev.related_claim_id}"
        return f"absorbed duplicate #{rev.related_claim_id}"
    return {"created": "first reported", "imported": "imported", "text": "wording changed",
            "edited": "corrected", "verdict": "verdict", "retracted": "retracted"}.get(rev.change, rev.change)


# ---------------------------------------------------------------------------- admin


def ingest_report(report: IngestReport, added: Sequence[ClaimView], tz: ZoneInfo) -> str:
    """What an ingested article did: counts, then the new and revised claims."""
    title = report.title or report.url or f"article {report.article_id}"
    head = f"<b>{link(report.url, shorten(title, 200))}</b> ({esc(report.status.value)})"
    if report.status.value == "unchanged":
        return f"{head}: unchanged, {len(report.unchanged)} claims already known."
    counts = (f"{len(report.added)} new, {len(report.revised)} revised, "
              f"{len(report.appeared)} already known from other sources, {len(report.unchanged)} unchanged")
    lines = [f"Ingested {head}: {counts}."]
    if added:
        lines.append("")
        lines.extend(claim_line(v) for v in added[:INGEST_LISTED])
    if len(added) > INGEST_LISTED:
        lines.append(f"… and {len(added) - INGEST_LISTED} more (see /claims).")
    return "\n".join(lines)


def claim_line(view: ClaimView) -> str:
    """A claim in one line: id, speaker and the start of its text."""
    return (f"#{view.id} <b>{esc(view.speaker or 'Unknown speaker')}</b>: "
            f"{statement(view, 140)}")


def change_done(what: str, view: ClaimView, tz: ZoneInfo) -> str:
    """The reply to ``/edit``, ``/verdict``, ``/retract`` and ``/merge``: what happened, then the claim."""
    return f"{esc(what)} Claim #{view.id} is now at revision {view.revision}.\n\n{claim_card(view, tz)}"


def stats(store: StoreStats, questions: QuestionStats, subscribers: SubscriptionStats | None = None,
          delivery: DeliveryStats | None = None) -> str:
    lines = [
        "<b>claimbot statistics</b>",
        f"Claims: {store.claims:,} ({store.active_claims:,} active)",
        f"Speakers: {store.speakers:,}",
        f"Topics: {store.topics:,}",
        f"Articles: {store.articles:,}",
        f"Revisions in the last day: {store.revisions_last_day:,}",
        f"Questions in the last day: {questions.answered:,} answered, {questions.unanswered:,} unanswered",
    ]
    if subscribers is not None:
        why = ", ".join(f"{esc(k)}: {v:,}" for k, v in sorted(subscribers.paused_by_reason.items()))
        lines.append(f"Subscribers: {subscribers.subscribers:,} chats; subscriptions {subscribers.active:,} "
                     f"active, {subscribers.paused:,} paused" + (f" ({why})" if why else ""))
    if delivery is not None:
        lines.append(f"Digests: {delivery.sent_last_day:,} sent in the last day "
                     f"({delivery.sent_total:,} in all), {delivery.pending + delivery.sending:,} waiting, "
                     f"{delivery.failed_last_day:,} failed in the last day ({delivery.failed:,} in all)")
    if questions.recent_unanswered:
        lines.append("\n<b>Latest unanswered</b>")
        lines.extend(f"• {esc(shorten(q, 150))}" for q in questions.recent_unanswered)
    return "\n".join(lines)


# ---------------------------------------------------------------------------- start and help

USER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("ask", "Ask about a claim: /ask what did X say about Y"),
    ("topics", "Topics with claims"),
    ("speakers", "Who said things"),
    ("claims", "Latest claims, optionally for a topic or speaker"),
    ("claim", "One claim in full: /claim ID"),
    ("history", "How a claim changed: /history ID"),
    ("subscribe", "Digest of changes: /subscribe TOPIC|SPEAKER|claim ID [daily HH:MM|weekly DAY HH:MM|hourly|"
                  "instant]"),
    ("unsubscribe", "Stop a digest: /unsubscribe TOPIC|SPEAKER|claim ID"),
    ("subscriptions", "What this chat follows, with buttons to remove"),
    ("timezone", "Time zone for digests: /timezone Area/City"),
    ("help", "How to use this bot"),
    ("start", "Welcome"),
)
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("ingest", "Ingest an article: /ingest URL, or reply to a message or file"),
    ("edit", "Correct a claim's text: /edit ID TEXT"),
    ("verdict", "Set a verdict: /verdict ID VERDICT [NOTE]"),
    ("retract", "Retract a claim: /retract ID [REASON]"),
    ("merge", "Merge a duplicate: /merge ID INTO_ID"),
    ("stats", "Statistics"),
    ("digest_now", "Send digests now, due or not: /digest_now [TOPIC]"),
    ("feeds", "RSS/Atom feeds: /feeds, /feeds add URL, /feeds remove ID"),
)


def welcome(first_name: str | None) -> str:
    name = f", {esc(shorten(first_name, 60))}" if first_name else ""
    return (
        f"Hello{name}! I keep track of who claimed what in the news, with every correction on record.\n\n"
        "<b>Just send me a question</b>, for example:\n"
        "• What did Trump say about the ceasefire?\n"
        "• Zelensky on security guarantees\n\n"
        "I answer with the matching claims: speaker, date, source and verdict. "
        "In groups, mention me or reply to me.\n\n"
        "See /topics and /speakers for what I know, and /help for all commands."
    )


def help_text(*, is_admin: bool) -> str:
    lines = ["<b>Commands</b>"] + [f"/{c} — {esc(d)}" for c, d in USER_COMMANDS]
    lines.append("\nAny other message in a private chat is a question.")
    lines.append("Digests come only when something you follow changed; the default is daily at 08:00 "
                 "in your time zone (see /timezone).")
    if is_admin:
        lines.append("\n<b>Admin commands</b>")
        lines.extend(f"/{c} — {esc(d)}" for c, d in ADMIN_COMMANDS)
        lines.append("Verdicts: accurate, misleading, false, disputed, unverified.")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- buttons


@dataclass(frozen=True, slots=True)
class Button:
    """A decoded, verified button press."""

    kind: str
    """``h``: history of claim ``a``; ``m``: page ``b`` of the answers to question ``a``;
    ``fa``: follow the topic of claim ``a`` (the Follow button on answers); ``ft``/``fs``/``fc``:
    follow topic/speaker/claim ``a`` on schedule ``b`` (``schedule_code``), the choices offered for
    an ambiguous name; ``u``: remove subscription ``a``."""
    a: int
    b: int = 0


class CallbackCodec:
    """Compact, signed callback data (Telegram allows 64 bytes), so forged presses are recognised.

    The key derives from the bot token: buttons stay valid across restarts and replicas.
    """

    _PATTERN = re.compile(r"^(h|m|fa|ft|fs|fc|u):(\d{1,12})(?::(\d{1,6}))?:([A-Za-z0-9_-]{10})$")

    def __init__(self, secret: bytes) -> None:
        self._key = hashlib.sha256(b"claimbot-buttons\0" + secret).digest()

    def _sign(self, payload: str) -> str:
        mac = hmac.new(self._key, payload.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode()[:10]

    def encode(self, kind: str, a: int, b: int | None = None) -> str:
        payload = f"{kind}:{a}" if b is None else f"{kind}:{a}:{b}"
        return f"{payload}:{self._sign(payload)}"

    def decode(self, data: str | None) -> Button | None:
        """The button, or ``None`` for anything malformed or not signed by us."""
        m = self._PATTERN.match(data or "")
        if m is None:
            return None
        kind, a, b, sig = m.groups()
        payload = f"{kind}:{a}" if b is None else f"{kind}:{a}:{b}"
        if not hmac.compare_digest(sig, self._sign(payload)):
            return None
        return Button(kind, int(a), int(b or 0))


def answer_keyboard(result: Answer, codec: CallbackCodec, *, page: int = 0) -> InlineKeyboardMarkup | None:
    """History buttons for the claims shown, paging through further results, and Follow topic."""
    rows: list[list[InlineKeyboardButton]] = []
    history_row = [InlineKeyboardButton(f"History #{v.id}", callback_data=codec.encode("h", v.id))
                   for v in result.claims]
    if history_row:
        rows.append(history_row)
    nav: list[InlineKeyboardButton] = []
    if page > 0:
        nav.append(InlineKeyboardButton("◀ Previous", callback_data=codec.encode("m", result.question_id,
                                                                                 page - 1)))
    if result.has_more:
        nav.append(InlineKeyboardButton("More results ▶", callback_data=codec.encode("m", result.question_id,
                                                                                     page + 1)))
    if nav:
        rows.append(nav)
    follow = follow_buttons(result.claims, codec)  # last: History and paging keep their places
    if follow:
        rows.append(follow)
    return InlineKeyboardMarkup(rows) if rows else None


def follow_buttons(views: Sequence[ClaimView], codec: CallbackCodec, *, most: int = 3
                   ) -> list[InlineKeyboardButton]:
    """"Follow TOPIC" for each topic among the claims shown (the data names a claim: its topic is
    looked up when pressed, so the button needs no topic id and survives renamed topics)."""
    seen: dict[str, InlineKeyboardButton] = {}
    for view in views:
        if view.topic and view.topic not in seen and len(seen) < most:
            label = shorten(view.topic_name or view.topic, 28)
            data = codec.encode("fa", view.id)
            seen[view.topic] = InlineKeyboardButton(f"Follow {label}", callback_data=data)
    return list(seen.values())


def claim_keyboard(view: ClaimView, codec: CallbackCodec) -> InlineKeyboardMarkup:
    row = [InlineKeyboardButton("History", callback_data=codec.encode("h", view.id))]
    return InlineKeyboardMarkup([row + follow_buttons([view], codec)])


# ---------------------------------------------------------------------------- splitting


_ATOM = re.compile(r"<[^<>]*>|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{1,10});|[^<&]|[<&]", re.S)
_TAG_NAME = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)")
_SENTENCE_END = ".!?…"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _priority(prev: str, atom: str) -> int:
    """How good a place it is to cut before ``atom`` (``prev`` is the atom before it)."""
    if atom == "\n":
        return 4 if prev == "\n" else 3
    if atom in " \t":
        return 2 if prev and prev[-1] in _SENTENCE_END else 1
    return 0


def split_html(text: str, limit: int = SAFE_LIMIT) -> list[str]:
    """Cut ``text`` into messages of at most ``limit`` UTF-16 units, each valid HTML on its own.

    Cuts prefer a blank line, then a line end, then a sentence end, then a space, and only then
    any character (never inside a tag or an entity); tags open at a cut are closed before it and
    reopened after it. A cut is not taken so early that it leaves a chunk under a third full.
    """
    text = text.strip()
    if utf16_len(text) <= limit:
        return [text] if text else []
    atoms = _ATOM.findall(text)
    chunks: list[str] = []
    start = 0
    stack: list[tuple[str, str]] = []  # (name, opening tag) open where the chunk starts
    while start < len(atoms):
        prefix = "".join(tag for _, tag in stack)
        open_now = list(stack)
        size = utf16_len(prefix)
        # priority -> (index to cut before, size there, tags open there): the latest of each
        cuts: dict[int, tuple[int, int, list[tuple[str, str]]]] = {}
        i, prev = start, ""
        while i < len(atoms):
            atom = atoms[i]
            if i > start:
                cuts[_priority(prev, atom)] = (i, size, open_now)
            after = _after_tag(open_now, atom)
            closers = sum(len(name) + 3 for name, _ in after)
            if i > start and size + utf16_len(atom) + closers > limit:
                break
            size += utf16_len(atom)
            open_now, prev = after, atom
            i += 1
        else:
            chunks.append(prefix + "".join(atoms[start:]))
            break
        good = [c for p, c in sorted(cuts.items(), reverse=True) if c[1] >= limit // 3]
        cut, _, open_at_cut = good[0] if good else cuts[_priority(prev, atoms[i])]
        body = (prefix + "".join(atoms[start:cut])).rstrip()
        chunks.append(body + "".join(f"</{name}>" for name, _ in reversed(open_at_cut)))
        start, stack = cut, open_at_cut
        while start < len(atoms) and atoms[start] in (" ", "\n", "\t"):
            start += 1
    return [c.strip() for c in chunks if _visible(c).strip()]


def _after_tag(stack: list[tuple[str, str]], atom: str) -> list[tuple[str, str]]:
    """The open tags after ``atom`` (a new list only when the atom is a tag)."""
    m = _TAG_NAME.match(atom) if atom.startswith("<") else None
    if m is None:
        return stack
    name = m.group(2).lower()
    if m.group(1):
        return stack[:-1] if stack and stack[-1][0] == name else stack
    return [*stack, (name, atom)]


def _visible(chunk: str) -> str:
    return html.unescape(re.sub(r"<[^<>]*>", "", chunk))


_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)


def html_to_plain(text: str) -> str:
    """The same message without markup, links spelled out: the fallback Telegram cannot refuse."""

    def spell(m: re.Match[str]) -> str:
        url, label = html.unescape(m.group(1)), m.group(2)
        return f"{label} ({url})" if url and url != html.unescape(label) else label

    return html.unescape(re.sub(r"<[^<>]*>", "", _LINK.sub(spell, text)))


def plain_chunks(text: str, limit: int = SAFE_LIMIT) -> list[str]:
    """Plain text cut like ``split_html`` cuts HTML (escaping first keeps the cutter honest)."""
    return [html.unescape(c) for c in split_html(esc(text), limit)]


def lines(items: Iterable[Any]) -> str:
    return "\n".join(str(i) for i in items)


# ---------------------------------------------------------------------------- subscriptions

_SCHEDULE_KINDS = (ScheduleKind.DAILY, ScheduleKind.WEEKLY, ScheduleKind.HOURLY, ScheduleKind.INSTANT)
_PAUSED_BECAUSE = {"blocked": "the bot was blocked or removed", "chat_not_found": "the chat was not found"}
MAX_LISTED_BUTTONS = 90
"""Telegram allows 100 buttons on a message; a chat following more removes the rest by name."""


def schedule_code(schedule: Schedule) -> int:
    """A schedule packed into one number for callback data (at most 50,399: kind, weekday, minute).

    Choice buttons carry the schedule the user typed, so pressing one subscribes exactly as asked.
    """
    kind = _SCHEDULE_KINDS.index(schedule.kind) + 1
    return (kind * 7 + (schedule.weekday or 0)) * 1440 + schedule.hour * 60 + schedule.minute


def schedule_from_code(code: int) -> Schedule:
    """The schedule ``schedule_code`` packed; an impossible number is a user-facing error."""
    rest, minute_of_day = divmod(code, 1440)
    kind_no, weekday = divmod(rest, 7)
    if not 1 <= kind_no <= len(_SCHEDULE_KINDS):
        raise InvalidArgumentError("That button is out of date. Please use /subscribe again.")
    kind = _SCHEDULE_KINDS[kind_no - 1]
    return Schedule(kind=kind, hour=minute_of_day // 60, minute=minute_of_day % 60,
                    weekday=weekday if kind is ScheduleKind.WEEKLY else None)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def target_name(target: Target) -> str:
    """``<b>Greenland</b> (topic)``; a claim's label already says it is a claim."""
    kind = "" if target.kind is TargetKind.CLAIM else f" ({target.kind.value})"
    return f"<b>{esc(target.label)}</b>{kind}"


def schedule_phrase(schedule: Schedule, timezone: str) -> str:
    """When digests come, in words: ``daily 08:00 Europe/Berlin``, ``hourly``, ``instant``."""
    if schedule.kind is ScheduleKind.INSTANT:
        return "instant (soon after anything changes)"
    if schedule.kind is ScheduleKind.HOURLY:
        return "hourly"
    return f"{schedule.describe()} {timezone}"


def subscribed(result: SubscribeResult) -> str:
    """The reply to ``/subscribe`` and to Follow and choice buttons."""
    sub = result.subscription
    what = "Subscribed to" if result.created else "Updated: this chat follows"
    lines = [f"✅ {what} {target_name(sub.target)}, {esc(schedule_phrase(sub.schedule, sub.timezone))}."]
    if sub.schedule.kind is not ScheduleKind.INSTANT:
        when = fmt_date(sub.next_run_at, _zone(sub.timezone), time=True)
        lines.append(f"Next digest: {when} ({esc(sub.timezone)}), if anything changed by then.")
    lines.append("You only get a message when something changed. /subscriptions lists what this chat "
                 "follows; /timezone sets your time zone.")
    return "\n".join(lines)


def unsubscribed(view: SubscriptionView) -> str:
    return f"Unsubscribed: this chat no longer follows {target_name(view.target)}."


def subscriptions_list(views: Sequence[SubscriptionView], *, timezone: str) -> str:
    """``/subscriptions``: what the chat follows, on which schedule, and whether it is paused."""
    if not views:
        return ("This chat follows nothing yet.\n\nTry /subscribe Greenland, "
                "/subscribe Trump weekly monday 09:00 or /subscribe claim 12 instant.\n"
                f"Daily and weekly digests use your time zone, now {esc(timezone)} "
                "(change it with /timezone).")
    lines = [f"<b>This chat follows</b> ({len(views)}) · time zone {esc(timezone)}"]
    for n, view in enumerate(views, 1):
        line = f"{n}. {target_name(view.target)} — {esc(schedule_phrase(view.schedule, view.timezone))}"
        if view.status is SubscriptionStatus.PAUSED:
            why = _PAUSED_BECAUSE.get(view.paused_reason or "", view.paused_reason or "undeliverable")
            line += f" · <b>paused</b> ({esc(why)})"
        lines.append(line)
    lines.append("\nPress a button to stop one, or use /unsubscribe NAME.")
    return "\n".join(lines)


def subscriptions_keyboard(views: Sequence[SubscriptionView], codec: CallbackCodec
                           ) -> InlineKeyboardMarkup | None:
    """One remove button per subscription."""
    rows = [[InlineKeyboardButton(f"✖ {n}. {shorten(v.target.label, 40)}",
                                  callback_data=codec.encode("u", v.id))]
            for n, v in enumerate(views[:MAX_LISTED_BUTTONS], 1)]
    return InlineKeyboardMarkup(rows) if rows else None


def choose_target(query: str, *, unsubscribe: bool = False) -> str:
    action = "stop following" if unsubscribe else "follow"
    return f"“{esc(shorten(query, 80))}” could mean more than one thing. Which one do you want to {action}?"


def target_choices(choices: Sequence[Target], schedule: Schedule, codec: CallbackCodec
                   ) -> InlineKeyboardMarkup:
    """Buttons for an ambiguous name: each subscribes to one candidate, on the schedule asked for."""
    code = schedule_code(schedule)
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(f"{shorten(t.label, 48)} ({t.kind.value})",
                              callback_data=codec.encode(f"f{t.token[0]}", t.id, code))]
        for t in choices
    ])


def timezone_set(name: str) -> str:
    return (f"Time zone set to <b>{esc(name)}</b>. Daily and weekly digests in this chat now follow it "
            "(see /subscriptions).")


def timezone_current(name: str) -> str:
    return (f"This chat's time zone is <b>{esc(name)}</b>.\n"
            "Usage: /timezone Area/City, for example /timezone Europe/Berlin or /timezone America/New_York")


def resumed(count: int) -> str:
    what = "subscription is" if count == 1 else "subscriptions are"
    return f"Welcome back! Your {count} paused {what} active again (/subscriptions)."


# ---------------------------------------------------------------------------- digests

DIGEST_TEXT_CHARS = 500
DIGEST_KINDS = {"new": "🆕 New", "revised": "✏️ Reworded", "verdict": "⚖️ Verdict changed",
                "retracted": "🚫 Retracted", "merged": "🔗 Merged"}


def digest_messages(digest: Digest) -> list[str]:
    """A digest as Telegram HTML messages under the limit, cut between items (stored in the outbox).

    Dates are in the subscription's own time zone. Topic headings appear when the digest spans
    topics (a speaker's or several); a topic's own digest needs none.
    """
    tz = _zone(digest.timezone)
    n = digest.count
    title = f"What changed: {esc(digest.target.label)}"
    header = f"<b>{title}</b> — {n} update{'s' if n != 1 else ''}"
    headings = len(digest.groups) > 1 or digest.target.kind is not TargetKind.TOPIC
    blocks: list[str] = []
    for group in digest.groups:
        for i, item in enumerate(group.items):
            body = digest_item(item, tz)
            if headings and i == 0:
                body = f"<b>▌{esc(group.topic_name or group.topic or 'No topic')}</b>\n\n{body}"
            blocks.append(body)
    return _pack(header, blocks, continued=f"<i>{title} (continued)</i>")


def digest_item(item: DigestItem, tz: ZoneInfo) -> str:
    """One claim's changes: what happened, who, before → after, verdict, source, commands."""
    kinds = " · ".join(DIGEST_KINDS[k] for k in item.kinds)
    lines = [f"{kinds} · #{item.claim_id} <b>{esc(item.speaker or 'Unknown speaker')}</b>"]
    if item.text_before is not None:
        half = DIGEST_TEXT_CHARS * 2 // 3
        lines.append(f"Before: “{esc(shorten(item.text_before, half))}”")
        lines.append(f"After: “{esc(shorten(item.text, half))}”")
    else:
        lines.append(f"“{esc(shorten(item.text, DIGEST_TEXT_CHARS))}”")
    if item.verdict is not None:
        before = f"{verdict(item.verdict_before)} → " if item.verdict_before else ""
        lines.append(f"Verdict: {before}{verdict(item.verdict)}")
    if item.merged_into is not None:
        lines.append(f"Merged into #{item.merged_into} (/claim {item.merged_into})")
    if item.merged_from:
        lines.append("Now also stands for " + ", ".join(f"#{c}" for c in item.merged_from))
    if item.note:
        lines.append(f"Why: {esc(shorten(item.note, 300))}")
    if item.source is not None:
        lines.append(f"Source: {_digest_source(item.source, tz)}")
    lines.append(f"/claim {item.claim_id} · /history {item.claim_id}")
    return "\n".join(lines)


def _digest_source(src: DigestSource, tz: ZoneInfo) -> str:
    label = shorten(src.title or src.outlet or src.url or f"article {src.article_id}", 200)
    outlet = f" — {esc(shorten(src.outlet, 80))}" if src.outlet and src.title else ""
    return f"{link(src.url, label)}{outlet}, {fmt_date(src.published_at, tz)}"


def _pack(header: str, blocks: Iterable[str], *, continued: str, limit: int = SAFE_LIMIT) -> list[str]:
    """Blocks joined under ``limit`` per message, never cut inside a block unless it alone is too long."""
    room = limit - utf16_len(continued) - 2
    parts: list[str] = []
    current = header
    for block in blocks:
        for piece in split_html(block, room) if utf16_len(block) > room else [block]:
            if utf16_len(current) + 2 + utf16_len(piece) > limit:
                parts.append(current)
                current = continued
            current = f"{current}\n\n{piece}"
    parts.append(current)
    return parts


def digest_run(scope: str, queued: EnqueueReport, sent: DeliveryReport) -> str:
    """The reply to ``/digest_now``: what was checked, recorded and delivered."""
    lines = [f"<b>Digest run</b> for {esc(scope)}: {queued.due:,} active subscriptions checked."]
    if queued.digests:
        lines.append(f"{queued.digests:,} digests recorded ({queued.messages:,} messages); "
                     f"{queued.empty:,} had nothing new.")
    else:
        lines.append("Nothing they follow changed: no digest to send.")
    lines.append(f"Delivered now: {sent.messages:,} messages ({sent.digests:,} digests complete).")
    if sent.messages + sent.failed < queued.messages:
        lines.append("The rest go out in the background (chats waiting out Telegram's limits, or taken "
                     "by another runner).")
    problems = [(sent.blocked, "chats blocked the bot (paused)"),
                (sent.not_found, "chats not found (paused)"),
                (sent.migrated, "groups moved to a supergroup"),
                (sent.retry_after, "waits for Telegram's 429"),
                (sent.rejected, "messages refused by Telegram"),
                (sent.errors, "send errors")]
    if noted := [f"{n:,} {what}" for n, what in problems if n]:
        lines.append("Also: " + "; ".join(noted) + ".")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- feeds


def feeds_list(feeds: Sequence[FeedView], tz: ZoneInfo) -> str:
    """``/feeds``: each feed with its state and when it was last polled."""
    if not feeds:
        return "No feeds yet. Add one with /feeds add URL (an RSS or Atom feed)."
    lines = [f"<b>Feeds</b> ({len(feeds)})"]
    for feed in feeds:
        state = "⚠️ failing" if feed.status is FeedStatus.FAILING else "ok"
        polled = fmt_date(feed.last_polled_at, tz, time=True) if feed.last_polled_at else "not polled yet"
        lines.append(f"#{feed.id} {link(feed.url, shorten(feed.title or feed.url, 80))} — {state}, "
                     f"last polled {polled}")
        if feed.last_error:
            lines.append(f"    last error: {esc(shorten(feed.last_error, 200))}")
    lines.append("\n/feeds add URL · /feeds remove ID")
    return "\n".join(lines)


def feed_added(feed: FeedView) -> str:
    return (f"Added feed #{feed.id}: {link(feed.url, shorten(feed.title or feed.url, 120))}. "
            "It is polled now and then regularly; new articles flow into digests.")


def feed_removed(feed: FeedView) -> str:
    return (f"Removed feed #{feed.id} ({esc(shorten(feed.title or feed.url, 120))}). "
            "What it brought in stays.")
