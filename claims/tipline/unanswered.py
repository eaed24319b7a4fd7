"""What readers asked that claimbot could not answer, grouped so the team sees each need once.

Ten readers rarely ask the same thing in the same words ("did Trump say he'd buy Greenland?",
"trump buy greenland true??"). Questions are reduced to their content stems (stop words out,
words stemmed: the matcher's own reading of a question), identical reductions are pooled, and
reductions that rapidfuzz finds similar (token sort ratio, so word order does not matter) join
the group of the most asked one. Groups are ranked by how often they were asked, then by how many
different people asked (pseudonyms, ``claims.tipline.askers``), then by recency.

Groups are not stored: they are recomputed from the log each time, so a question asked after the
list was shown joins its group, and "handled" marks the rows of the group as it is now.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from rapidfuzz import fuzz, process
from sqlmodel import Session, col

from claims.search.query import content_stems
from claims.store.models import QuestionKind, QuestionLog, utcnow

SIMILAR = 80
"""rapidfuzz token sort ratio (0-100) of two questions' stems at which they are one group."""
SCAN = 3000
"""Newest unanswered questions looked at: weeks of a busy tipline, grouped in well under a second."""
VARIANTS = 2


@dataclass(frozen=True, slots=True)
class QuestionGroup:
    """Similar unanswered questions: the wording asked most, a few others, and the counts."""

    question: str
    kind: str  # "question", or "post" when the group is forwarded or pasted posts
    ids: tuple[int, ...]
    asked: int
    askers: int
    last_asked: datetime
    variants: tuple[str, ...] = ()

    @property
    def anchor(self) -> int:
        """The id a "handled" button names: the group's newest question."""
        return max(self.ids)


@dataclass(frozen=True, slots=True)
class Unanswered:
    """The unanswered groups in a window, most asked first, with the totals behind them."""

    since: datetime
    groups: tuple[QuestionGroup, ...]
    questions: int  # unanswered, unhandled questions in the window (up to ``SCAN``)
    total_groups: int


@dataclass
class _Pool:
    key: str
    rows: list[tuple[int, str, str | None, datetime, str]] = field(default_factory=list)


def _key(text: str) -> str:
    stems = sorted(set(content_stems(text)))
    return " ".join(stems) if stems else " ".join(text.casefold().split())


def unanswered_groups(*, session: Session, since: datetime, most: int = 10) -> Unanswered:
    """Unhandled questions without a match asked since ``since``, grouped, most asked first."""
    q = QuestionLog
    rows = session.execute(
        sa.select(col(q.id), col(q.question), col(q.asker), col(q.asked_at), col(q.kind))
        .where(col(QuestionLog.asked_at) >= since, col(QuestionLog.matches) == 0,
               col(QuestionLog.handled_at).is_(None))
        .order_by(col(QuestionLog.asked_at).desc(), col(QuestionLog.id).desc())
        .limit(SCAN)
    ).all()
    pools: dict[str, _Pool] = {}
    for row in rows:
        key = _key(row[1])
        pools.setdefault(key, _Pool(key)).rows.append((int(row[0] or 0), row[1], row[2], row[3], row[4]))
    groups: list[_Pool] = []
    for pool in sorted(pools.values(), key=lambda p: (-len(p.rows), -max(r[0] for r in p.rows))):
        best = process.extractOne(pool.key, [g.key for g in groups], scorer=fuzz.token_sort_ratio,
                                  score_cutoff=SIMILAR) if groups else None
        if best is None:
            groups.append(pool)
        else:
            groups[best[2]].rows.extend(pool.rows)
    built = sorted((_group(g) for g in groups),
                   key=lambda g: (-g.asked, -g.askers, -g.last_asked.timestamp()))
    return Unanswered(since, tuple(built[:most]), len(rows), len(built))


def _group(pool: _Pool) -> QuestionGroup:
    """The wording shown is the one asked most (the newest among equals)."""
    wordings = Counter(" ".join(r[1].split()) for r in pool.rows)
    newest = {(" ".join(r[1].split())): r[0] for r in sorted(pool.rows)}
    ranked = sorted(wordings, key=lambda w: (-wordings[w], -newest[w]))
    askers = {r[2] for r in pool.rows if r[2]}
    anonymous = sum(1 for r in pool.rows if not r[2])
    kinds = {r[4] for r in pool.rows}
    return QuestionGroup(
        question=ranked[0],
        kind=QuestionKind.QUESTION.value if QuestionKind.QUESTION.value in kinds else QuestionKind.POST.value,
        ids=tuple(sorted(r[0] for r in pool.rows)),
        asked=len(pool.rows),
        askers=len(askers) + anonymous,
        last_asked=max(r[3] for r in pool.rows),
        variants=tuple(ranked[1 : 1 + VARIANTS]),
    )


def mark_handled(*, session: Session, ids: tuple[int, ...] | list[int]) -> int:
    """Take these questions off the team's list; returns how many were still open."""
    if not ids:
        return 0
    result = session.execute(
        sa.update(QuestionLog)
        .where(col(QuestionLog.id).in_(list(ids)), col(QuestionLog.handled_at).is_(None))
        .values(handled_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
