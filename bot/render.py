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
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from claims.ingest import IngestReport
from claims.questions import Answer, QuestionStats
from claims.store import ClaimView, NameCount, RevisionView, SourceView, StoreStats

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


def claim_card(view: ClaimView, tz: ZoneInfo) -> str:
    """A claim in an answer or a list: who, when, what, verdict and where it was reported."""
    who = esc(view.speaker or "Unknown speaker")
    head = f"<b>{who}</b> · {said(view, tz)} · {verdict(view.verdict)}{_status(view)}"
    lines = [head, f"“{esc(shorten(view.text, CARD_TEXT_CHARS))}”"]
    if src := view.first_source:
        more = f" (+{len(view.sources) - 1} more)" if len(view.sources) > 1 else ""
        lines.append(f"Source: {_source(src, tz)}{more}")
    lines.append(f"#{view.id} · /claim {view.id}")
    return "\n".join(lines)


def claim_full(view: ClaimView, revisions: int, tz: ZoneInfo, *, bot_username: str | None) -> str:
    """``/claim ID``: the whole claim, its quote, verdict, every source and how often it changed."""
    lines = [f"<b>Claim #{view.id}</b>{_status(view)}",
             f"<b>{esc(view.speaker or 'Unknown speaker')}</b> ({esc(view.kind)} statement)",
             f"“{esc(view.text)}”"]
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
            f"“{esc(shorten(view.text, 140))}”")


def change_done(what: str, view: ClaimView, tz: ZoneInfo) -> str:
    """The reply to ``/edit``, ``/verdict``, ``/retract`` and ``/merge``: what happened, then the claim."""
    return f"{esc(what)} Claim #{view.id} is now at revision {view.revision}.\n\n{claim_card(view, tz)}"


def stats(store: StoreStats, questions: QuestionStats) -> str:
    lines = [
        "<b>claimbot statistics</b>",
        f"Claims: {store.claims:,} ({store.active_claims:,} active)",
        f"Speakers: {store.speakers:,}",
        f"Topics: {store.topics:,}",
        f"Articles: {store.articles:,}",
        f"Revisions in the last day: {store.revisions_last_day:,}",
        f"Questions in the last day: {questions.answered:,} answered, {questions.unanswered:,} unanswered",
    ]
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
    if is_admin:
        lines.append("\n<b>Admin commands</b>")
        lines.extend(f"/{c} — {esc(d)}" for c, d in ADMIN_COMMANDS)
        lines.append("Verdicts: accurate, misleading, false, disputed, unverified.")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- buttons


@dataclass(frozen=True, slots=True)
class Button:
    """A decoded, verified button press."""

    kind: str  # "h": history of claim ``a``; "m": page ``b`` of the answers to question ``a``
    a: int
    b: int = 0


class CallbackCodec:
    """Compact, signed callback data (Telegram allows 64 bytes), so forged presses are recognised.

    The key derives from the bot token: buttons stay valid across restarts and replicas.
    """

    _PATTERN = re.compile(r"^([hm]):(\d{1,12})(?::(\d{1,4}))?:([A-Za-z0-9_-]{10})$")

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
    """History buttons for the claims shown, and paging through further results."""
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
    return InlineKeyboardMarkup(rows) if rows else None


def claim_keyboard(view: ClaimView, codec: CallbackCodec) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("History", callback_data=codec.encode("h", view.id))]])


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
