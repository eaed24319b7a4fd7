"""The one forgiving resolver for names users type: speakers and topics, everywhere.

``/claims``, ``/subscribe``, ``claims --speaker/--topic`` and ``list_claims`` all resolve a typed
name here, so "Podesta", "John Podesta", "the NATO chief", "ukraine", "cease fire" and a typo mean
the same thing whichever door they come in by. Candidates are tried in tiers, and the first tier
with any candidate decides:

1. exact: a topic's slug or name, a speaker's name or one of its full-name aliases;
2. surname, honorific or title plus surname, a topic's name without spaces and hyphens
   ("cease fire" for "ceasefire"), a configured topic's keyword;
3. role ("NATO secretary general") and partial names: every typed word starts a word of the name
   ("ukraine" for "Ukraine-Russia war", "Mark" for "Mark Rutte");
4. fuzzy: a typo of a whole name, alias or name word (rapidfuzz ``ratio``, same first letter),
   taken only when clearly ahead of the next candidate.

One candidate in the deciding tier is the answer; several raise ``AmbiguousNameError`` with the
choices, busiest first, so the bot can offer them as buttons.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils
from sqlmodel import Session, col, func, select

from claims.catalog import Catalog
from claims.errors import InvalidArgumentError, NotFoundError
from claims.store.models import (
    AliasKind,
    Claim,
    ClaimStatus,
    Speaker,
    SpeakerAlias,
    SpeakerKind,
    TargetKind,
    Topic,
)
from claims.store.nameforms import name_key, parse_name

MAX_CHOICES = 5
FUZZY_CUTOFF = 80.0
"""Below this rapidfuzz ``ratio`` (edit similarity of the whole spelling) a name is not offered."""
CLEAR_WINNER_GAP = 8.0
"""A fuzzy match this far ahead of the next candidate is taken without asking."""
_EXACT, _CLOSE, _PARTIAL, _FUZZY = range(4)
_NAME_KINDS = (AliasKind.NAME.value, AliasKind.ADMIN.value)


@dataclass(frozen=True, slots=True)
class NameMatch:
    """A speaker or topic a typed name stands for, with the label users know it by."""

    kind: TargetKind
    id: int
    label: str


class AmbiguousNameError(InvalidArgumentError):
    """Several speakers or topics fit a name equally well; ``choices`` are the candidates, busiest first."""

    def __init__(self, query: str, choices: Sequence[NameMatch]) -> None:
        names = ", ".join(c.label for c in choices)
        super().__init__(f"{query[:60]!r} could mean: {names}. Which one?")
        self.query = query
        self.choices = tuple(choices)


def resolve_name(
    *,
    session: Session,
    text: str,
    kinds: Collection[TargetKind] = (TargetKind.TOPIC, TargetKind.SPEAKER),
    catalog: Catalog | None = None,
) -> NameMatch:
    """The one speaker or topic ``text`` names, or ``NotFoundError`` / ``AmbiguousNameError``."""
    query = " ".join(text.split())
    found = candidates(session=session, text=query, kinds=kinds, catalog=catalog)
    if not found:
        what = " or ".join(k.value for k in kinds if k in (TargetKind.TOPIC, TargetKind.SPEAKER))
        raise NotFoundError(f"There is no {what} called {query[:60]!r}.")
    if len(found) > 1:
        raise AmbiguousNameError(query, found[:MAX_CHOICES])
    return found[0]


def resolve_speaker(*, session: Session, text: str) -> Speaker:
    """The speaker a typed name (full name, surname, alias, role, typo) stands for."""
    match = resolve_name(session=session, text=text, kinds=(TargetKind.SPEAKER,))
    speaker = session.get(Speaker, match.id)
    assert speaker is not None
    return speaker


def resolve_topic(*, session: Session, text: str, catalog: Catalog | None = None) -> Topic:
    """The topic a typed name (slug, name, part of it, keyword, typo) stands for."""
    match = resolve_name(session=session, text=text, kinds=(TargetKind.TOPIC,), catalog=catalog)
    topic = session.get(Topic, match.id)
    assert topic is not None
    return topic


def candidates(
    *,
    session: Session,
    text: str,
    kinds: Collection[TargetKind] = (TargetKind.TOPIC, TargetKind.SPEAKER),
    catalog: Catalog | None = None,
) -> list[NameMatch]:
    """The speakers and topics of the best tier that has any, busiest first (empty: none fits)."""
    key = name_key(text)
    if not key:
        return []
    tiers: dict[int, dict[NameMatch, float]] = {}
    spellings: list[tuple[str, NameMatch]] = []
    if TargetKind.TOPIC in kinds:
        spellings += _topic_tiers(session, key, tiers, catalog)
    if TargetKind.SPEAKER in kinds:
        spellings += _speaker_tiers(session, text, key, tiers)
    for tier in (_EXACT, _CLOSE, _PARTIAL):
        if tiers.get(tier):
            return _by_activity(session, list(tiers[tier]))
    return _fuzzy(session, key, spellings)


# ---------------------------------------------------------------------------- topics


def _topic_tiers(
    session: Session, key: str, tiers: dict[int, dict[NameMatch, float]], catalog: Catalog | None
) -> list[tuple[str, NameMatch]]:
    spellings = []
    compact = _compact(key)
    keywords = _keywords(catalog)
    for tid, slug, name in session.exec(
        select(Topic.id, Topic.slug, Topic.name).where(col(Topic.hidden).is_(False))
    ):
        match = NameMatch(TargetKind.TOPIC, tid, name)  # type: ignore[arg-type]
        names = {name_key(slug.replace("-", " ")), name_key(name)}
        words = {w for n in names for w in n.split() if len(w) >= 4}
        spellings += [(n, match) for n in names | words]
        if key in names:
            _add(tiers, _EXACT, match)
        elif compact in {_compact(n) for n in names} or key in keywords.get(slug, ()):
            _add(tiers, _CLOSE, match)
        elif any(_starts_words(key, n) for n in names):
            _add(tiers, _PARTIAL, match)
    return spellings


def _keywords(catalog: Catalog | None) -> dict[str, frozenset[str]]:
    if catalog is None:
        return {}
    return {t.slug: frozenset(name_key(k) for k in t.keywords if k not in t.weak) for t in catalog.topics}


# ---------------------------------------------------------------------------- speakers


def _speaker_tiers(
    session: Session, text: str, key: str, tiers: dict[int, dict[NameMatch, float]]
) -> list[tuple[str, NameMatch]]:
    entities = (col(Speaker.article_id).is_(None), Speaker.kind != SpeakerKind.DESCRIPTION.value)
    rows = session.exec(
        select(Speaker.id, Speaker.name, Speaker.kind, SpeakerAlias.kind)
        .join(SpeakerAlias, col(SpeakerAlias.speaker_id) == Speaker.id)
        .where(SpeakerAlias.key == key, *entities)
    ).all()
    by_name = session.exec(select(Speaker.id, Speaker.name).where(
        func.lower(Speaker.name) == text.casefold(), *entities)).all()
    for sid, name in by_name:
        _add(tiers, _EXACT, NameMatch(TargetKind.SPEAKER, sid, name))  # type: ignore[arg-type]
    for sid, name, speaker_kind, kind in rows:
        match = NameMatch(TargetKind.SPEAKER, sid, name)  # type: ignore[arg-type]
        bare = speaker_kind == SpeakerKind.PERSON.value and " " not in name.strip()
        if kind in _NAME_KINDS and not bare:
            _add(tiers, _EXACT, match)
        elif kind == AliasKind.ROLE.value:
            _add(tiers, _PARTIAL, match)
        else:
            _add(tiers, _CLOSE, match)
    if not rows and not by_name:
        form = parse_name(text)
        if form is not None and form.prefix and not form.is_full:  # "Governor Hochul": the surname
            for sid, name in session.exec(
                select(Speaker.id, Speaker.name)
                .join(SpeakerAlias, col(SpeakerAlias.speaker_id) == Speaker.id)
                .where(SpeakerAlias.key == name_key(form.surname),
                       SpeakerAlias.kind == AliasKind.SURNAME.value, *entities)
            ):
                _add(tiers, _CLOSE, NameMatch(TargetKind.SPEAKER, sid, name))  # type: ignore[arg-type]
    if tiers.get(_EXACT) or tiers.get(_CLOSE):
        return []
    spellings = []
    for sid, name, alias_key in session.exec(
        select(Speaker.id, Speaker.name, SpeakerAlias.key)
        .outerjoin(SpeakerAlias, col(SpeakerAlias.speaker_id) == Speaker.id)
        .where(*entities)
    ):
        match = NameMatch(TargetKind.SPEAKER, sid, name)  # type: ignore[arg-type]
        for spelling in {name_key(name), alias_key or ""} - {""}:
            spellings.append((spelling, match))
            if _starts_words(key, spelling):
                _add(tiers, _PARTIAL, match)
    return spellings


# ---------------------------------------------------------------------------- shared


def _add(tiers: dict[int, dict[NameMatch, float]], tier: int, match: NameMatch) -> None:
    tiers.setdefault(tier, {})[match] = 1.0


def _compact(key: str) -> str:
    return re.sub(r"[\s\-]+", "", key)


def _starts_words(query: str, name: str) -> bool:
    """Every word of ``query`` begins a different word of ``name``, in any order ("nato sec gen",
    "NAACP president" for "president of the NAACP")."""
    if len(query) < 3:
        return False
    words = name.replace("-", " ").split()
    for q in query.replace("-", " ").split():
        at = next((i for i, w in enumerate(words) if w.startswith(q)), None)
        if at is None:
            return False
        words.pop(at)
    return True


def _fuzzy(session: Session, key: str, spellings: list[tuple[str, NameMatch]]) -> list[NameMatch]:
    if not spellings:
        return []
    scored: dict[NameMatch, float] = {}
    # Typos rarely hit a name's first letter: "Anderson" is no misspelt "Sanders".
    spellings = [(s, m) for s, m in spellings if s[:1] == key[:1]]
    names = [s for s, _ in spellings]
    for _name, score, index in process.extract(
        key, names, scorer=fuzz.ratio, processor=utils.default_process, score_cutoff=FUZZY_CUTOFF,
        limit=None,
    ):
        owner = spellings[index][1]
        scored[owner] = max(score, scored.get(owner, 0.0))
    if not scored:
        return []
    ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0].label))
    if len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= CLEAR_WINNER_GAP:
        return [ranked[0][0]]
    best = ranked[0][1]
    close = [m for m, score in ranked if best - score < CLEAR_WINNER_GAP]
    return _by_activity(session, close)


def _by_activity(session: Session, matches: list[NameMatch]) -> list[NameMatch]:
    """Matches ordered by live claims, busiest first (a user who typed "Clinton" most likely
    means the Clinton most quoted), then by label."""
    if len(matches) < 2:
        return matches
    speaker_ids = [m.id for m in matches if m.kind is TargetKind.SPEAKER]
    topic_ids = [m.id for m in matches if m.kind is TargetKind.TOPIC]
    counts: dict[tuple[TargetKind, int], int] = {}
    live = Claim.status == ClaimStatus.ACTIVE.value
    if speaker_ids:
        for sid, n in session.exec(select(Claim.speaker_id, func.count()).where(
                col(Claim.speaker_id).in_(speaker_ids), live).group_by(col(Claim.speaker_id))):
            counts[(TargetKind.SPEAKER, sid)] = n  # type: ignore[index]
    if topic_ids:
        for tid, n in session.exec(select(Claim.topic_id, func.count()).where(
                col(Claim.topic_id).in_(topic_ids), live).group_by(col(Claim.topic_id))):
            counts[(TargetKind.TOPIC, tid)] = n  # type: ignore[index]
    return sorted(matches, key=lambda m: (-counts.get((m.kind, m.id), 0), m.label))
