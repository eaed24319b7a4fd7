"""What a subscription follows: topics, speakers, claims and phrases, and how typed text names one.

Why it exists: ``/subscribe``, ``/unsubscribe``, their buttons and digests all speak of targets.
Names go through the one forgiving resolver (``claims.store.names``: surname, alias, role, slug, part
of a name, typo); when several fit, ``AmbiguousTargetError`` carries the choices so the bot can offer
them as buttons (``Target.token`` fits in callback data). A phrase in quotes is a saved search
(``claims.follow.searches``): it follows whatever the matcher answers it with. Following and
listing are ``claims.follow.subscriptions``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from claims.catalog import Catalog
from claims.errors import InvalidArgumentError, NotFoundError
from claims.follow.schedule import DEFAULT_SCHEDULE, SCHEDULE_USAGE, Schedule, parse_schedule
from claims.follow.searches import saved_search, split_quoted
from claims.normalize import normalize_text
from claims.store.models import Claim, SavedSearch, ScheduleKind, Speaker, TargetKind, Topic, is_storable_id
from claims.store.names import AmbiguousNameError, NameMatch, resolve_name

SUBSCRIBE_USAGE = f'Usage: /subscribe TOPIC|SPEAKER|claim ID|"PHRASE" [{SCHEDULE_USAGE}]'
CLAIM_LABEL_CHARS = 60
_CLAIM_REF = re.compile(r"^(?:claim\s*)?#?\s*([0-9]{1,12})$", re.I)  # ASCII digits only: int("١٢")
_TOKEN = re.compile(r"^([tscq])([0-9]{1,12})$")                      # is 12, int("²") raises
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

