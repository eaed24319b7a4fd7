"""The tipline as readers and the team see it: checked posts and links, inline answers, and the
list of what nobody could answer, with their buttons.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode

from bot.render.claims import VERDICTS, claim_card, said, statement, verdict
from bot.render.codec import ButtonKind, CallbackCodec
from bot.render.html import esc, fmt_date, link, shorten
from claims.search.documents import Match
from claims.service.tipline import InlinePage, LinkCheck, TeamList, TipCheck
from claims.store.views import ClaimView
from claims.tipline.links import LinkView
from claims.tipline.posts import MessageKind
from claims.tipline.unanswered import QuestionGroup, Unanswered

SHOWN_CLAIMS = 8
"""Tracked claims shown for one post; the rest are counted."""
SHOWN_UNTRACKED = 5
SHOWN_FROM_ARTICLE = 5
HISTORY_BUTTONS = 4
STATS_DAYS = 0
"""The days a "handled" button under /stats carries: 0 means "redraw /stats", not a list."""


def deep_link(bot_username: str, claim_id: int) -> str:
    """The link that opens a claim in a private chat with the bot (``/start claim_N``)."""
    return f"https://t.me/{bot_username}?start=claim_{claim_id}"


# ---------------------------------------------------------------------------- posts and links


def tip_check(result: TipCheck, tz: ZoneInfo, *, is_admin: bool) -> str:
    """A checked post or link: tracked claims first (what the reader came for), then what is not
    tracked, then the links."""
    parts: list[str] = []
    if result.kind is MessageKind.POST:
        parts.append(_post(result, tz))
    parts.extend(_link(check, tz, is_admin=is_admin) for check in result.links)
    if is_admin and result.kind is MessageKind.POST:
        parts.append("<i>To store this text as an article, reply /ingest to it.</i>")
    return "\n\n".join(p for p in parts if p) or "I found nothing in that message that I could check."


def _post(result: TipCheck, tz: ZoneInfo) -> str:
    checks = result.statements
    found = [c for c in checks if c.found]
    n = len(checks)
    noun = "statement" if n == 1 else "statements"
    if not found and not result.whole:
        return (f"I read {n} {noun} in this post; none of them is a claim we track yet. "
                "I have passed it on to the fact-checking team.")
    if found and n > 1:
        lines = [f"<b>{len(found)} of the {n} {noun} in this post {'is' if len(found) == 1 else 'are'} "
                 "tracked:</b>"]
    else:
        lines = ["<b>This post repeats a claim we track:</b>"]
    shown: set[int] = set()
    for check in found:
        who = f" — {esc(check.statement.speaker)}" if check.statement.speaker else ""
        lines.append(f"\n🔎 <i>{esc(shorten(check.statement.text, 160))}</i>{who}")
        lines.extend(_cards(check.found, shown, tz))
    rest = [pair for pair in result.whole if pair[1].id not in shown]
    if rest:
        lines.append("\n🔎 <i>The post as a whole</i>" if found else "")
        lines.extend(_cards(rest, shown, tz))
    if len(result.found) > len(shown):
        lines.append(f"\n… and {len(result.found) - len(shown)} more tracked claims.")
    untracked = result.untracked if found else ()
    if untracked:
        lines.append("\n<b>Not tracked yet:</b>")
        lines.extend(f"• <i>{esc(shorten(c.statement.text, 120))}</i>" for c in untracked[:SHOWN_UNTRACKED])
        if len(untracked) > SHOWN_UNTRACKED:
            lines.append(f"… and {len(untracked) - SHOWN_UNTRACKED} more.")
    return "\n".join(line for line in lines if line)


def _cards(pairs: Sequence[tuple[Match, ClaimView]], shown: set[int], tz: ZoneInfo) -> list[str]:
    """Claim cards, each claim once per answer (later mentions point back), at most ``SHOWN_CLAIMS``."""
    out = []
    for _, view in pairs:
        if view.id in shown:
            out.append(f"↳ claim #{view.id}, shown above")
        elif len(shown) < SHOWN_CLAIMS:
            out.append(claim_card(view, tz))
            shown.add(view.id)
    return out


def _link(check: LinkCheck, tz: ZoneInfo, *, is_admin: bool) -> str:
    shown = esc(shorten(check.url, 120))
    tracked = check.tracked
    if tracked is None:
        if is_admin:
            return f"🔗 {shown} is not an article we track yet. Ingest it?"
        return (f"🔗 {shown} is not an article we track yet. I have noted it for the fact-checking "
                "team; nothing was opened or fetched.")
    title = link(tracked.source.url, shorten(tracked.source.title or check.url, 200))
    if not tracked.total:
        return f"🔗 {title} is in our store, but no claims are tracked from it."
    plural = "claim" if tracked.total == 1 else "claims"
    lines = [f"🔗 {title} ({fmt_date(tracked.source.published_at, tz)}): {tracked.total} tracked {plural}"]
    lines.extend(claim_card(v, tz) for v in tracked.claims[:SHOWN_FROM_ARTICLE])
    if tracked.total > SHOWN_FROM_ARTICLE:
        lines.append(f"… and {tracked.total - SHOWN_FROM_ARTICLE} more from this article.")
    return "\n\n".join(lines)


def tip_keyboard(result: TipCheck, codec: CallbackCodec, *, is_admin: bool) -> InlineKeyboardMarkup | None:
    """History for the first claims found; for admins, Ingest for each link we do not track."""
    rows: list[list[InlineKeyboardButton]] = []
    history = [InlineKeyboardButton(f"History #{v.id}", callback_data=codec.encode(ButtonKind.HISTORY, v.id))
               for v in result.found[:HISTORY_BUTTONS]]
    if history:
        rows.append(history)
    if is_admin:
        ingest = [check for check in result.links if check.tracked is None and check.link_id is not None]
        rows.extend([InlineKeyboardButton(_ingest_label(c.url, len(ingest)),
                                          callback_data=codec.encode(ButtonKind.INGEST_LINK, c.link_id or 0))]
                    for c in ingest)
    return InlineKeyboardMarkup(rows) if rows else None


def _ingest_label(url: str, count: int) -> str:
    return "Ingest" if count == 1 else f"Ingest {shorten(url.split('://', 1)[-1], 40)}"


def tip_usage() -> str:
    return ("Usage: reply /check to a forwarded post, a long message or a link, or write /check TEXT. "
            "In a private chat you can simply forward the post to me.")


# ---------------------------------------------------------------------------- inline mode


def inline_results(page: InlinePage, tz: ZoneInfo, *, bot_username: str) -> list[InlineQueryResultArticle]:
    """One result per claim: speaker and verdict as the title, the words as the description; the
    message sent carries the claim and a deep link that opens it in the bot."""
    return [
        InlineQueryResultArticle(
            id=f"claim-{view.id}",
            title=shorten(f"{view.speaker or 'Unknown speaker'} · {_plain_verdict(view.verdict)}", 100),
            description=shorten(view.text, 200),
            input_message_content=InputTextMessageContent(
                inline_message(view, tz, bot_username=bot_username), parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True)),
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton(f"Open claim #{view.id}", url=deep_link(bot_username, view.id))]]),
        )
        for view in page.claims
    ]


def _plain_verdict(value: str) -> str:
    return VERDICTS.get(value, value)


def inline_message(view: ClaimView, tz: ZoneInfo, *, bot_username: str) -> str:
    """What lands in the chat: who, when, verdict, the words, the source and the deep link."""
    lines = [f"<b>{esc(view.speaker or 'Unknown speaker')}</b> · {said(view, tz)} · {verdict(view.verdict)}",
             statement(view, 600)]
    if src := view.first_source:
        label = shorten(src.title or src.outlet or src.url or "article", 150)
        lines.append(f"Source: {link(src.url, label)}")
    url = deep_link(bot_username, view.id)
    lines.append(f"Claim #{view.id} on @{esc(bot_username)}: {esc(url)}")
    return "\n".join(lines)


def inline_nothing() -> InlineQueryResultsButton:
    """Shown above an empty result list: an open door to the bot instead of silence."""
    return InlineQueryResultsButton(text="No tracked claim matches — ask me in a chat",
                                    start_parameter="inline")


# ---------------------------------------------------------------------------- the team's list


def team_list(team: TeamList, tz: ZoneInfo, *, title: str | None = None) -> str:
    """``/unanswered`` and the weekly digest: grouped questions, then links we do not track."""
    days = f"{team.days} day" + ("" if team.days == 1 else "s")
    head = f"<b>{esc(title or f'Unanswered in the last {days}')}</b>"
    if team.empty:
        return f"{head}\nNothing: every question found a claim, and no untracked links were sent. 🎉"
    lines = [head]
    lines.append(unanswered_section(team.unanswered, tz, heading=False))
    if team.links:
        lines.append(f"\n<b>Links readers sent that we do not track</b> ({team.open_links})")
        lines.extend(_link_line(n, v, tz) for n, v in enumerate(team.links, 1))
    return "\n".join(lines)


def unanswered_section(unanswered: Unanswered, tz: ZoneInfo, *, heading: bool = True) -> str:
    """The grouped questions, most asked first, numbered like their "handled" buttons."""
    top = "\n<b>Unanswered this week</b>\n" if heading else ""
    if not unanswered.groups:
        return f"{top}No unanswered questions."
    shown = len(unanswered.groups)
    more = f"; the {shown} most asked" if unanswered.total_groups > shown else ""
    lines = [f"{top}{_count(unanswered.questions, 'question')} in "
             f"{_count(unanswered.total_groups, 'group')}{more}, most asked first:"]
    lines.extend(_group_lines(n, g, tz) for n, g in enumerate(unanswered.groups, 1))
    return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _group_lines(n: int, group: QuestionGroup, tz: ZoneInfo) -> str:
    what = "📨 forwarded post: " if group.kind == "post" else ""
    people = "1 person" if group.askers == 1 else f"{group.askers} people"
    times = "once" if group.asked == 1 else f"{group.asked}×"
    line = (f"{n}. {what}“{esc(shorten(group.question, 200))}” — {times} by {people}, "
            f"last {fmt_date(group.last_asked, tz)}")
    if group.variants:
        line += "\n    also: " + "; ".join(f"“{esc(shorten(v, 80))}”" for v in group.variants)
    return line


def _link_line(n: int, view: LinkView, tz: ZoneInfo) -> str:
    times = "once" if view.reports == 1 else f"{view.reports}×"
    return f"L{n}. {esc(shorten(view.url, 150))} — {times}, last {fmt_date(view.last_reported_at, tz)}"


def team_keyboard(team: TeamList, codec: CallbackCodec) -> InlineKeyboardMarkup | None:
    """A "handled" button per group (numbered as listed) and an Ingest button per link."""
    rows = handled_rows(team.unanswered.groups, codec, days=team.days)
    ingest = [InlineKeyboardButton(f"Ingest L{n}", callback_data=codec.encode(ButtonKind.INGEST_LINK, v.id))
              for n, v in enumerate(team.links, 1)]
    rows.extend(ingest[i : i + 4] for i in range(0, len(ingest), 4))
    return InlineKeyboardMarkup(rows) if rows else None


def handled_rows(groups: Sequence[QuestionGroup], codec: CallbackCodec, *, days: int
                 ) -> list[list[InlineKeyboardButton]]:
    buttons = [InlineKeyboardButton(f"✓ {n} handled",
                                    callback_data=codec.encode(ButtonKind.HANDLED, g.anchor, days))
               for n, g in enumerate(groups, 1)]
    return [buttons[i : i + 4] for i in range(0, len(buttons), 4)]


def stats_keyboard(unanswered: Unanswered, codec: CallbackCodec) -> InlineKeyboardMarkup | None:
    """The "handled" buttons under ``/stats`` (they redraw /stats, not a list)."""
    rows = handled_rows(unanswered.groups, codec, days=STATS_DAYS)
    return InlineKeyboardMarkup(rows) if rows else None


def handled_done(closed: int) -> str:
    """The answer on the button (at most 200 characters)."""
    if not closed:
        return "That group was already handled."
    return f"Marked handled: {closed} question{'s' if closed != 1 else ''}."
