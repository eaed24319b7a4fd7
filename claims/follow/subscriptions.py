"""Who follows what: subscribing to topics, speakers, claims and phrases, and each chat's time zone.

A new subscription's watermark is the newest revision in the store, so its first digest holds only
what changes after subscribing. Names go through the one forgiving resolver (``claims.store.names``:
surname, alias, role, slug, part of a name, typo); when several fit, ``AmbiguousTargetError`` carries
the choices so the bot can offer them as buttons (``Target.token`` fits in callback data). A phrase in
quotes is a saved search (``claims.follow.searches``): it follows whatever the matcher answers it with.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from claims.catalog import Catalog
from claims.errors import InvalidArgumentError, NotFoundError
from claims.follow.schedule import (
    DEFAULT_SCHEDULE,
    SCHEDULE_USAGE,
    Schedule,
    next_run,
    parse_schedule,
    validate_timezone,
)
from claims.follow.searches import saved_search, split_quoted
from claims.normalize import normalize_text
from claims.store.models import (
    ChatPreference,
    Claim,
    ClaimRevision,
    DigestOutbox,
    OutboxStatus,
    SavedSearch,
    ScheduleKind,
    Speaker,
    Subscription,
    SubscriptionStatus,
    TargetKind,
    Topic,
    is_storable_id,
    utcnow,
)
from claims.store.names import AmbiguousNameError, NameMatch, resolve_name

SUBSCRIBE_USAGE = f'Usage: /subscribe TOPIC|SPEAKER|claim ID|"PHRASE" [{SCHEDULE_USAGE}]'
MAX_CHOICES = 5
CLAIM_LABEL_CHARS = 60
MAX_SUBSCRIPTIONS_PER_CHAT = 50
"""The default of ``CLAIMBOT_MAX_SUBSCRIPTIONS_PER_CHAT``: a chat following more reads nothing."""
_CLAIM_REF = re.compile(r"^(?:claim\s*)?#?\s*(\d{1,12})$", re.I)
_TOKEN = re.compile(r"^([tscq])(\d{1,12})$")
_KIND_CODES = {TargetKind.TOPIC: "t", TargetKind.SPEAKER: "s", TargetKind.CLAIM: "c", TargetKind.SEARCH: "q"}


class AmbiguousTargetError(InvalidArgumentError):
    """Several topics or speakers fit a name; ``choices`` are the candidates, best first."""

    def __init__(self, query: str, choices: Sequence[Target]) -> None:
        names = ", ".join(c.label for c in choices)
        super().__init__(f"{query[:60]!r} could mean: {names}. Which one?")
        self.query = query
        self.choices = tuple(choices)


@dataclass(frozen=True, slots=True)
class Target:
    """What a subscription follows, with the name users know it by."""

    kind: TargetKind
    id: int
    label: str

    @property
    def token(self) -> str:
        """A short stable reference (``t3``, ``s12``, ``c4051``, ``q7``) for buttons and callback data."""
        return f"{_KIND_CODES[self.kind]}{self.id}"


@dataclass(frozen=True, slots=True)
class SubscriptionView:
    """A subscription as the bot lists it."""

    id: int
    chat_id: int
    target: Target
    schedule: Schedule
    timezone: str
    status: SubscriptionStatus
    paused_reason: str | None
    next_run_at: datetime
    created_at: datetime

    def describe(self) -> str:
        """``Greenland (topic), daily 08:00 Europe/Berlin``: plain text, the bot escapes it."""
        when = self.schedule.describe()
        if self.schedule.kind in (ScheduleKind.DAILY, ScheduleKind.WEEKLY):
            when += f" {self.timezone}"
        paused = f", paused ({self.paused_reason})" if self.status is SubscriptionStatus.PAUSED else ""
        return f"{self.target.label} ({self.target.kind.value}), {when}{paused}"


@dataclass(frozen=True, slots=True)
class SubscribeResult:
    subscription: SubscriptionView
    created: bool
    """False when the chat already followed this target and only the schedule changed."""


@dataclass(frozen=True, slots=True)
class SubscriptionStats:
    """Subscriber figures for ``/stats``."""

    subscribers: int
    active: int
    paused: int
    paused_by_reason: dict[str, int]


# ---------------------------------------------------------------------------- parsing arguments


def parse_subscribe_args(text: str) -> tuple[str, Schedule]:
    """Split ``/subscribe`` arguments into the target words and the schedule that ends them.

    A quoted phrase is kept with its quotes (so ``resolve_target`` knows it is a search), whatever
    words it holds: ``"daily news" weekly mon 9:00``.
    """
    quoted = split_quoted(text)
    if quoted is not None:
        phrase, rest = quoted
        return f'"{phrase}"', parse_schedule(rest) if rest else DEFAULT_SCHEDULE
    words = text.split()
    kinds = {k.value for k in ScheduleKind}
    if not words or words[0].lower() in kinds:
        raise InvalidArgumentError(SUBSCRIBE_USAGE)
    for i, word in enumerate(words):
        if word.lower() in kinds:
            return " ".join(words[:i]), parse_schedule(" ".join(words[i:]))
    return " ".join(words), DEFAULT_SCHEDULE


def parse_target_token(token: str, *, session: Session) -> Target:
    """The target behind a ``Target.token`` (from a button), checked to still exist."""
    match = _TOKEN.match(token.strip())
    if not match:
        raise InvalidArgumentError(f"{token[:20]!r} is not a subscription target.")
    kind = {v: k for k, v in _KIND_CODES.items()}[match.group(1)]
    return target_by_id(session=session, kind=kind, target_id=int(match.group(2)))


# ---------------------------------------------------------------------------- resolving names


def target_by_id(*, session: Session, kind: TargetKind, target_id: int) -> Target:
    """The target of this kind and id, with its label, or ``NotFoundError``."""
    if not is_storable_id(target_id):
        raise NotFoundError(f"There is no {kind.value} #{target_id}.")
    if kind is TargetKind.TOPIC:
        topic = session.get(Topic, target_id)
        if topic is None:
            raise NotFoundError(f"There is no topic #{target_id}.")
        return Target(kind, target_id, topic.name)
    if kind is TargetKind.SPEAKER:
        speaker = session.get(Speaker, target_id)
        if speaker is None:
            raise NotFoundError(f"There is no speaker #{target_id}.")
        return Target(kind, target_id, speaker.name)
    if kind is TargetKind.SEARCH:
        search = session.get(SavedSearch, target_id)
        if search is None:
            raise NotFoundError(f"There is no saved search #{target_id}.")
        return Target(kind, target_id, search_label(search.phrase))
    claim = session.get(Claim, target_id)
    if claim is None:
        raise NotFoundError(f"There is no claim #{target_id}.")
    return Target(kind, target_id, claim_label(target_id, claim.text))


def search_label(phrase: str) -> str:
    """How a saved search is shown: the phrase in quotes."""
    return f"“{phrase}”"


def claim_label(claim_id: int, text: str) -> str:
    short = " ".join(text.split())
    if len(short) > CLAIM_LABEL_CHARS:
        short = short[: CLAIM_LABEL_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return f"claim #{claim_id} “{short}”"


def target_labels(*, session: Session, refs: Sequence[tuple[str, int]]) -> dict[tuple[str, int], Target]:
    """Targets for many ``(kind, id)`` pairs with one query per kind (digests for 10,000 chats)."""
    by_kind: dict[str, set[int]] = {}
    for kind, target_id in refs:
        by_kind.setdefault(kind, set()).add(target_id)
    out: dict[tuple[str, int], Target] = {}
    if ids := by_kind.get(TargetKind.TOPIC.value):
        for tid, name in _id_and(session, Topic.id, Topic.name, ids):
            out[(TargetKind.TOPIC.value, tid)] = Target(TargetKind.TOPIC, tid, name)
    if ids := by_kind.get(TargetKind.SPEAKER.value):
        for sid, name in _id_and(session, Speaker.id, Speaker.name, ids):
            out[(TargetKind.SPEAKER.value, sid)] = Target(TargetKind.SPEAKER, sid, name)
    if ids := by_kind.get(TargetKind.CLAIM.value):
        for cid, text in _id_and(session, Claim.id, Claim.text, ids):
            out[(TargetKind.CLAIM.value, cid)] = Target(TargetKind.CLAIM, cid, claim_label(cid, text))
    if ids := by_kind.get(TargetKind.SEARCH.value):
        for qid, phrase in _id_and(session, SavedSearch.id, SavedSearch.phrase, ids):
            out[(TargetKind.SEARCH.value, qid)] = Target(TargetKind.SEARCH, qid, search_label(phrase))
    return out


def _id_and(session: Session, id_column: Any, other: Any, ids: set[int]) -> list[tuple[int, str]]:
    """``(id, other)`` pairs for ``ids``, typed as stored (SQLModel types ids as optional)."""
    rows = session.execute(sa.select(id_column, other).where(id_column.in_(sorted(ids))))
    return [(int(i), str(v)) for i, v in rows]


def resolve_target(
    *, session: Session, query: str, catalog: Catalog | None = None, create: bool = True
) -> Target:
    """A topic, speaker, claim or saved search from what a user typed.

    ``12``, ``#12`` and ``claim 12`` are claim ids; a phrase in quotes is a saved search (created
    unless ``create`` is False, as for ``/unsubscribe``). Anything else is a speaker or topic name,
    resolved forgivingly; ``AmbiguousTargetError`` lists the candidates when several fit.
    """
    text = " ".join(query.split())
    if not text:
        raise InvalidArgumentError(SUBSCRIBE_USAGE)
    if match := _CLAIM_REF.match(text):
        return target_by_id(session=session, kind=TargetKind.CLAIM, target_id=int(match.group(1)))
    quoted = split_quoted(text)
    if quoted is not None and not quoted[1]:
        return _search_target(session, quoted[0], create=create)
    try:
        found = resolve_name(session=session, text=text, catalog=catalog)
    except AmbiguousNameError as exc:
        raise AmbiguousTargetError(text, [_target(c) for c in exc.choices]) from None
    except NotFoundError:
        raise NotFoundError(
            f"No topic, speaker or claim matches {text[:60]!r}. See /topics and /speakers for names, "
            f'or put it in quotes to follow every claim about it: "{text[:60]}".'
        ) from None
    return _target(found)


def _target(match: NameMatch) -> Target:
    return Target(match.kind, match.id, match.label)


def _search_target(session: Session, phrase: str, *, create: bool) -> Target:
    row: SavedSearch | None
    if create:
        row = saved_search(session=session, phrase=phrase)
    else:
        row = session.exec(select(SavedSearch).where(SavedSearch.key == normalize_text(phrase))).first()
        if row is None:
            raise NotFoundError(f"This chat does not follow {search_label(phrase)}.")
    assert row.id is not None
    return Target(TargetKind.SEARCH, row.id, search_label(row.phrase))


# ---------------------------------------------------------------------------- subscribing


def newest_revision_id(*, session: Session) -> int:
    """The id of the newest claim revision (0 for an empty store): a new subscriber's watermark."""
    newest = session.execute(sa.select(func.coalesce(func.max(ClaimRevision.id), 0))).scalar_one()
    return int(newest)


def chat_timezone(*, session: Session, chat_id: int, default: str = "UTC") -> str:
    """The time zone a chat chose with ``/timezone``, else ``default`` (the bot's setting)."""
    pref = session.get(ChatPreference, chat_id)
    return pref.timezone if pref else default


def set_timezone(*, session: Session, chat_id: int, timezone: str, now: datetime | None = None) -> str:
    """Set a chat's time zone and move its subscriptions' next runs; returns the canonical name."""
    name = validate_timezone(timezone)
    now = now or utcnow()
    pref = session.get(ChatPreference, chat_id)
    if pref is None:
        pref = ChatPreference(chat_id=chat_id, timezone=name, updated_at=now)
    pref.timezone = name
    pref.updated_at = now
    session.add(pref)
    for sub in session.exec(select(Subscription).where(Subscription.chat_id == chat_id)):
        sub.timezone = name
        sub.next_run_at = next_run(schedule_of(sub), after=now, tz=name)
        sub.updated_at = now
        session.add(sub)
    session.flush()
    return name


def subscribe(
    *,
    session: Session,
    chat_id: int,
    target: Target,
    schedule: Schedule = DEFAULT_SCHEDULE,
    user_id: int | None = None,
    timezone: str | None = None,
    default_timezone: str = "UTC",
    now: datetime | None = None,
    limit: int = MAX_SUBSCRIPTIONS_PER_CHAT,
) -> SubscribeResult:
    """Follow ``target`` in ``chat_id``; subscribing again changes the schedule (and resumes).

    The watermark is set to the newest revision so the first digest holds only later changes; a
    resumed subscription gets the same fresh start rather than everything it missed while paused.
    A chat may follow at most ``limit`` targets (``CLAIMBOT_MAX_SUBSCRIPTIONS_PER_CHAT``); past it
    a new subscription is refused and nothing changes.
    """
    now = now or utcnow()
    tz = validate_timezone(timezone) if timezone else chat_timezone(
        session=session, chat_id=chat_id, default=default_timezone
    )
    sub = session.exec(
        select(Subscription).where(
            Subscription.chat_id == chat_id,
            Subscription.target_kind == target.kind.value,
            Subscription.target_id == target.id,
        )
    ).first()
    created = sub is None
    if created:
        _check_room(session=session, chat_id=chat_id, limit=limit)
    watermark = newest_revision_id(session=session)
    if sub is None:
        sub = Subscription(
            chat_id=chat_id, user_id=user_id, target_kind=target.kind.value, target_id=target.id,
            watermark_revision_id=watermark, watermark_at=now, created_at=now,
        )
    elif sub.status != SubscriptionStatus.ACTIVE.value:
        sub.watermark_revision_id = watermark
        sub.watermark_at = now
    sub.schedule = schedule.kind.value
    sub.hour, sub.minute, sub.weekday = schedule.hour, schedule.minute, schedule.weekday
    sub.timezone = tz
    sub.status = SubscriptionStatus.ACTIVE.value
    sub.paused_reason = None
    sub.paused_at = None
    sub.next_run_at = next_run(schedule, after=now, tz=tz)
    sub.updated_at = now
    session.add(sub)
    session.flush()
    return SubscribeResult(subscription=_view(sub, target), created=created)


def _check_room(*, session: Session, chat_id: int, limit: int) -> None:
    """Refuse a new subscription when the chat already follows ``limit`` targets."""
    count = session.exec(
        select(func.count()).select_from(Subscription).where(Subscription.chat_id == chat_id)
    ).one()
    if count >= limit:
        raise InvalidArgumentError(
            f"This chat already follows {count:,} topics, speakers and claims, the most one chat may "
            "follow; /unsubscribe from one first (the operator can raise "
            "CLAIMBOT_MAX_SUBSCRIPTIONS_PER_CHAT)."
        )


def unsubscribe(
    *,
    session: Session,
    chat_id: int,
    target: Target | None = None,
    subscription_id: int | None = None,
) -> SubscriptionView:
    """Stop following, by target (``/unsubscribe NAME``) or id (the list's remove button).

    Digests already recorded but not yet sent are dropped with it; a chat can only remove its own
    subscriptions.
    """
    stmt = select(Subscription).where(Subscription.chat_id == chat_id)
    if subscription_id is not None:
        stmt = stmt.where(Subscription.id == subscription_id)
    elif target is not None:
        stmt = stmt.where(
            Subscription.target_kind == target.kind.value, Subscription.target_id == target.id
        )
    else:
        raise InvalidArgumentError("Usage: /unsubscribe TOPIC|SPEAKER|claim ID")
    sub = session.exec(stmt).first()
    if sub is None:
        what = target.label if target else f"subscription #{subscription_id}"
        raise NotFoundError(f"This chat does not follow {what}.")
    view = _view(sub, target or target_by_id(
        session=session, kind=TargetKind(sub.target_kind), target_id=sub.target_id))
    session.execute(
        sa.delete(DigestOutbox).where(
            col(DigestOutbox.subscription_id) == sub.id,
            col(DigestOutbox.status) == OutboxStatus.PENDING.value,
        )
    )
    session.delete(sub)
    session.flush()
    return view


def list_subscriptions(*, session: Session, chat_id: int) -> list[SubscriptionView]:
    """A chat's subscriptions, oldest first."""
    subs = session.exec(
        select(Subscription).where(Subscription.chat_id == chat_id).order_by(col(Subscription.id))
    ).all()
    labels = target_labels(session=session, refs=[(s.target_kind, s.target_id) for s in subs])
    return [_view(s, labels.get((s.target_kind, s.target_id))) for s in subs]


def has_paused(*, session: Session, chat_id: int) -> bool:
    """Whether a chat has paused subscriptions: a read, so the check on every update never waits
    for (or takes) the write lock."""
    paused = session.exec(
        select(Subscription.id).where(
            Subscription.chat_id == chat_id, Subscription.status == SubscriptionStatus.PAUSED.value
        ).limit(1)
    ).first()
    return paused is not None


def resume_chat(*, session: Session, chat_id: int, now: datetime | None = None) -> int:
    """Resume a chat's paused subscriptions (it wrote to us again, so it can be reached); returns how many.

    Like a new subscription, a resumed one starts from the newest revision.
    """
    now = now or utcnow()
    watermark = newest_revision_id(session=session)
    count = 0
    for sub in session.exec(
        select(Subscription).where(
            Subscription.chat_id == chat_id, Subscription.status == SubscriptionStatus.PAUSED.value
        )
    ):
        sub.status = SubscriptionStatus.ACTIVE.value
        sub.paused_reason = None
        sub.paused_at = None
        sub.watermark_revision_id = watermark
        sub.watermark_at = now
        sub.next_run_at = next_run(schedule_of(sub), after=now, tz=sub.timezone)
        sub.updated_at = now
        session.add(sub)
        count += 1
    session.flush()
    return count


def subscription_stats(*, session: Session) -> SubscriptionStats:
    """Subscriber counts for ``/stats``: distinct chats, active and paused, and why paused."""
    subscribers = session.exec(
        select(func.count(func.distinct(Subscription.chat_id))).where(
            Subscription.status == SubscriptionStatus.ACTIVE.value
        )
    ).one()
    by_status = dict(
        session.exec(select(Subscription.status, func.count()).group_by(col(Subscription.status))).all()
    )
    reasons = dict(
        session.exec(
            select(Subscription.paused_reason, func.count())
            .where(Subscription.status == SubscriptionStatus.PAUSED.value)
            .group_by(col(Subscription.paused_reason))
        ).all()
    )
    return SubscriptionStats(
        subscribers=int(subscribers),
        active=int(by_status.get(SubscriptionStatus.ACTIVE.value, 0)),
        paused=int(by_status.get(SubscriptionStatus.PAUSED.value, 0)),
        paused_by_reason={str(k or "unknown"): int(v) for k, v in reasons.items()},
    )


# ---------------------------------------------------------------------------- helpers


def schedule_of(sub: Subscription) -> Schedule:
    """The stored schedule of a subscription as a ``Schedule``."""
    return Schedule(kind=ScheduleKind(sub.schedule), hour=sub.hour, minute=sub.minute, weekday=sub.weekday)


def _view(sub: Subscription, target: Target | None) -> SubscriptionView:
    assert sub.id is not None
    kind = TargetKind(sub.target_kind)
    return SubscriptionView(
        id=sub.id,
        chat_id=sub.chat_id,
        target=target or Target(kind, sub.target_id, f"{kind.value} #{sub.target_id} (deleted)"),
        schedule=schedule_of(sub),
        timezone=sub.timezone,
        status=SubscriptionStatus(sub.status),
        paused_reason=sub.paused_reason,
        next_run_at=sub.next_run_at,
        created_at=sub.created_at,
    )
