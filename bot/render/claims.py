"""Claims as users see them: cards, answers, lists, history, and their buttons.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render.codec import ButtonKind, CallbackCodec
from bot.render.html import esc, fmt_date, link, shorten
from claims.service.types import Answer, ClaimPage, ClaimView, NameCount, RevisionView, SourceView
from claims.wording import count

CARD_TEXT_CHARS = 600
"""Claim text shown in answers and lists; ``/claim ID`` shows all of it."""
EARLIER_CHARS = 200
"""The earlier claim quoted under a claim ("Earlier, on 14 Jan: ...")."""
CONTEXT_CHARS = 800
"""The sentences around a claim shown by ``/claim ID`` (what "that" or "the deal" refers to)."""

VERDICTS = {
    "accurate": "✅ accurate",
    "misleading": "⚠️ misleading",
    "false": "❌ false",
    "disputed": "⚖️ disputed",
    "unverified": "❔ unverified",
}


def said(view: ClaimView, tz: ZoneInfo) -> str:
    """When the claim was made; without a dated source, say when we recorded it instead."""
    if any(s.published_at for s in view.sources):
        return fmt_date(view.said_at, tz)
    return f"recorded {fmt_date(view.created_at, tz)}"


def verdict(value: str, note: str | None = None) -> str:
    label = VERDICTS.get(value, esc(value))
    return f"{label} — {esc(shorten(note, 300))}" if note else label


def source_line(src: SourceView, tz: ZoneInfo) -> str:
    """Where a claim was reported, as one linked line (answers, /claim, history and digests)."""
    label = shorten(src.title or src.outlet or src.url or f"article {src.article_id}", 200)
    outlet = f" — {esc(shorten(src.outlet, 80))}" if src.outlet and src.title else ""
    return f"{link(src.url, label)}{outlet}, {fmt_date(src.published_at, tz)}"


def _status(view: ClaimView) -> str:
    if view.status == "retracted":
        return " · <b>retracted</b>"
    if view.status == "merged":
        return f" · <b>merged into #{view.merged_into_id}</b> (/claim {view.merged_into_id})"
    return ""


def statement(view: ClaimView, limit: int | None = None) -> str:
    """The claim's words: quote marks only around words the speaker actually said (direct quotes);
    reported speech is the reporter's paraphrase and is labelled as such."""
    words = view.resolved_text or view.text  # "[Rutte] did not want to …": who "he" is, in brackets
    text = esc(shorten(words, limit) if limit else words)
    return f"“{text}”" if view.kind == "direct" else f"<i>reported:</i> {text}"


def claim_card(view: ClaimView, tz: ZoneInfo) -> str:
    """A claim in an answer or a list: who, when, what, verdict and where it was reported."""
    who = esc(view.speaker or "Unknown speaker")
    head = f"<b>{who}</b> · {said(view, tz)} · {verdict(view.verdict)}{_status(view)}"
    lines = [head, statement(view, CARD_TEXT_CHARS)]
    if src := view.first_source:
        more = f" (+{len(view.sources) - 1} more)" if len(view.sources) > 1 else ""
        lines.append(f"Source: {source_line(src, tz)}{more}")
    if view.earlier:
        lines.append(earlier_line(view, tz))
    lines.append(f"#{view.id} · /claim {view.id}")
    return "\n".join(lines)


def claim_full(view: ClaimView, revisions: int, tz: ZoneInfo, *, bot_username: str | None,
               page_url: str | None = None) -> str:
    """``/claim ID``: the whole claim, its quote, verdict, every source and how often it changed,
    and its public fact-check page when there is one (``Settings.claim_page_template``)."""
    lines = [f"<b>Claim #{view.id}</b>{_status(view)}",
             f"<b>{esc(view.speaker or 'Unknown speaker')}</b> ({esc(view.kind)} statement)",
             statement(view)]
    if view.quote_adds_words:
        lines.append(f"Quote: <i>{esc(view.quote)}</i>")
    if view.context and view.context_adds_words:
        lines.append(f"Context: <i>{esc(shorten(view.context, CONTEXT_CHARS))}</i>")
    lines.append(f"Verdict: {verdict(view.verdict, view.verdict_note)}")
    if view.topic:
        lines.append(f"Topic: {esc(view.topic_name or view.topic)}")
    if any(s.published_at for s in view.sources):
        lines.append(f"Said: {fmt_date(view.said_at, tz)}")
    else:
        lines.append(f"Recorded: {fmt_date(view.created_at, tz)} (no source gives a date)")
    if view.earlier:
        lines.append(earlier_line(view, tz))
    if view.sources:
        lines.append(f"\n<b>Sources ({len(view.sources)})</b>")
        lines.extend(f"{n}. {source_line(s, tz)}" for n, s in enumerate(view.sources, 1))
    else:
        lines.append("Sources: none on record")
    lines.append(f"\nRevisions: {revisions} — /history {view.id}")
    if page_url:
        lines.append(f"Fact check: {link(page_url, page_url)}")
    if bot_username:
        lines.append(f"Share: https://t.me/{esc(bot_username)}?start=claim_{view.id}")
    return "\n".join(lines)


def earlier_line(view: ClaimView, tz: ZoneInfo) -> str:
    """What the speaker said before on the same subject, marked when this claim contradicts it."""
    earlier = view.earlier
    assert earlier is not None
    said_then = f"“{esc(shorten(earlier.text, EARLIER_CHARS))}” (/claim {earlier.claim_id})"
    when = fmt_date(earlier.said_at, tz)
    if earlier.changed:
        return f"🔄 <b>Changed position.</b> Earlier, on {when}: {said_then}"
    return f"Earlier, on {when}: {said_then}"


def answer(result: Answer, tz: ZoneInfo, *, page: int = 0) -> str:
    """The claims that answer a question, or a clear "no claim on that" with the topics we know."""
    if not result.claims:
        if page:
            return "No further claims match that question."
        return no_answer(result.question, result.known_topics, result.related, tz)
    head = "Here is what I found:" if page == 0 else f"More results (page {page + 1}):"
    cards = [claim_card(v, tz) for v in result.claims]
    return head + "\n\n" + "\n\n".join(cards)


def no_answer(question: str, topics: Sequence[NameCount], related: Sequence[ClaimView] = (),
              tz: ZoneInfo | None = None) -> str:
    """No claim answers the question for sure: said plainly, then the closest claims (offered as
    such, never as an answer) or the topics we know."""
    asked = esc(shorten(question, 120))
    if related and tz is not None:
        cards = "\n\n".join(claim_card(v, tz) for v in related)
        return (f"Not sure: I have no claim that clearly answers “{asked}”.\n\n"
                f"The closest claims I have:\n\n{cards}")
    if not topics:
        return f"I have no claim on “{asked}” — in fact I have no claims at all yet."
    known = ", ".join(esc(t.label or t.name) for t in topics[:12])
    return (f"I have no claim on “{asked}”.\n\nTopics I do know about: {known}.\n"
            "Try /topics, /speakers or /claims TOPIC.")


def claims_list(page: ClaimPage, tz: ZoneInfo) -> str:
    """``/claims``: a page of the newest claims (of a topic or speaker), and where it is in the list."""
    label = f" {esc(page.label)}" if page.label else ""
    if not page.views:
        return "No further claims." if page.offset else f"No claims{label} yet."
    first, last = page.offset + 1, page.offset + len(page.views)
    partial = page.total > len(page.views)
    where = f"{first:,}–{last:,} of {page.total:,}" if partial else count(page.total, "claim")
    head = f"<b>Claims{label or ' so far'}</b> (newest first) · {where}"
    return head + "\n\n" + "\n\n".join(claim_card(v, tz) for v in page.views)


def claims_page_keyboard(page: ClaimPage, codec: CallbackCodec, *, per_page: int
                         ) -> InlineKeyboardMarkup | None:
    """Newer / Older buttons under a ``/claims`` page, when there is somewhere to go."""
    number = page.offset // per_page
    nav: list[InlineKeyboardButton] = []
    if number > 0:
        nav.append(InlineKeyboardButton("◀ Newer", callback_data=codec.encode(
            ButtonKind.CLAIMS_PAGE, page.scope.code, number - 1)))
    if page.has_more:
        nav.append(InlineKeyboardButton("Older ▶", callback_data=codec.encode(
            ButtonKind.CLAIMS_PAGE, page.scope.code, number + 1)))
    return InlineKeyboardMarkup([nav]) if nav else None


def names_list(items: Sequence[NameCount], *, kind: str) -> str:
    """``/topics`` and ``/speakers``: names with their live claim counts."""
    if not items:
        return f"No {kind} yet: no claims have been ingested."
    lines = [f"<b>{kind.capitalize()}</b> ({len(items)})"]
    for item in items:
        claims = count(item.claims, "claim")
        if kind == "topics":
            lines.append(f"• {esc(item.label or item.name)} — {claims} · /claims {esc(item.name)}")
        else:
            role = f" ({esc(item.label)})" if item.label else ""
            lines.append(f"• {esc(item.name)}{role} — {claims}")
    return "\n".join(lines)


def history(view: ClaimView, revisions: Sequence[RevisionView], tz: ZoneInfo) -> str:
    """``/history ID``: what changed in each revision, when, and on whose authority."""
    lines = [f"<b>History of claim #{view.id}</b>{_status(view)} — {count(len(revisions), 'revision')}"]
    for rev in revisions:
        by = rev.admin_name or (f"admin {rev.admin_id}" if rev.admin_id else None)
        origin = f" by {esc(by)}" if by else (f" from {source_line(rev.source, tz)}" if rev.source else "")
        if rev.change == "removed" and rev.source:
            origin = f": {source_line(rev.source, tz)}"
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
            "edited": "corrected", "verdict": "verdict", "retracted": "retracted",
            "removed": "no longer in the article", "relabelled": "speaker or topic relabelled"
            }.get(rev.change, rev.change)


def answer_keyboard(result: Answer, codec: CallbackCodec, *, page: int = 0) -> InlineKeyboardMarkup | None:
    """History buttons for the claims shown, paging through further results, and Follow topic."""
    rows: list[list[InlineKeyboardButton]] = []
    history_row = [InlineKeyboardButton(f"History #{v.id}",
                                        callback_data=codec.encode(ButtonKind.HISTORY, v.id))
                   for v in result.claims]
    if history_row:
        rows.append(history_row)
    nav: list[InlineKeyboardButton] = []
    asked = result.question_id  # an unlogged question (the store was busy) cannot be paged
    if asked is not None and page > 0:
        nav.append(InlineKeyboardButton("◀ Previous",
                                        callback_data=codec.encode(ButtonKind.MORE, asked, page - 1)))
    if asked is not None and result.has_more:
        nav.append(InlineKeyboardButton("More results ▶",
                                        callback_data=codec.encode(ButtonKind.MORE, asked, page + 1)))
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
            data = codec.encode(ButtonKind.FOLLOW, view.id)
            seen[view.topic] = InlineKeyboardButton(f"Follow {label}", callback_data=data)
    return list(seen.values())


def claim_keyboard(view: ClaimView, codec: CallbackCodec) -> InlineKeyboardMarkup:
    row = [InlineKeyboardButton("History", callback_data=codec.encode(ButtonKind.HISTORY, view.id))]
    return InlineKeyboardMarkup([row + follow_buttons([view], codec)])
