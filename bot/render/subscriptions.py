"""Subscriptions, schedules and time zones in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render.codec import ButtonKind, CallbackCodec
from bot.render.html import esc, fmt_date, shorten
from claims.errors import InvalidArgumentError
from claims.service.types import (
    Schedule,
    ScheduleKind,
    SubscribeResult,
    SubscriptionStatus,
    SubscriptionView,
    Target,
    TargetKind,
)

_SCHEDULE_KINDS = (ScheduleKind.DAILY, ScheduleKind.WEEKLY, ScheduleKind.HOURLY, ScheduleKind.INSTANT)
_PAUSED_BECAUSE = {"blocked": "the bot was blocked or removed", "chat_not_found": "the chat was not found"}
MAX_LISTED_BUTTONS = 90
"""Telegram allows 100 buttons on a message; a chat following more removes the rest by name."""

PICK = {TargetKind.TOPIC: ButtonKind.PICK_TOPIC, TargetKind.SPEAKER: ButtonKind.PICK_SPEAKER,
        TargetKind.CLAIM: ButtonKind.PICK_CLAIM}
"""The button that subscribes to a target of each kind, one of the choices for an ambiguous name."""
PICKED = {button: kind for kind, button in PICK.items()}


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


def zone_of(name: str) -> ZoneInfo:
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
        when = fmt_date(sub.next_run_at, zone_of(sub.timezone), time=True)
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
                                  callback_data=codec.encode(ButtonKind.UNSUBSCRIBE, v.id))]
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
                              callback_data=codec.encode(PICK[t.kind], t.id, code))]
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
