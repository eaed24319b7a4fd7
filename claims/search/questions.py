"""Questions asked in chat: a page of answers from the matcher, the question log, and its counts.

``claims.service.ClaimService`` answers every question through ``page_of_answers`` (the bot, the
console and ``claimbot ask`` alike) and logs chat questions with ``log_question``; ``/stats`` reads
the log back through ``question_stats``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from claims.search.documents import Match
from claims.store.models import ClaimStatus, QuestionKind, QuestionLog, utcnow
from claims.store.views import ClaimView, NameCount, get_claims

MAX_LOGGED_CHARS = 1000


@dataclass(frozen=True, slots=True)
class Answer:
    """The claims answering one question (best first), or when none does, the claims closest in
    meaning (``related``, semantic extra only) and the topics we know.

    ``question_id`` is the question's entry in the log (what paging buttons refer to); ``None``
    when it was not logged.
    """

    question_id: int | None
    question: str
    matches: tuple[Match, ...]
    claims: tuple[ClaimView, ...]
    has_more: bool
    known_topics: tuple[NameCount, ...] = ()
    related: tuple[ClaimView, ...] = ()

    @property
    def answered(self) -> bool:
        return bool(self.claims)

    def with_question_id(self, question_id: int | None) -> Answer:
        return replace(self, question_id=question_id)

    def with_topics(self, topics: Sequence[NameCount]) -> Answer:
        return replace(self, known_topics=tuple(topics))

    def with_related(self, views: Sequence[ClaimView]) -> Answer:
        return replace(self, related=tuple(views))


@dataclass(frozen=True, slots=True)
class QuestionStats:
    answered: int
    unanswered: int
    recent_unanswered: tuple[str, ...]


def log_question(
    *,
    session: Session,
    question: str,
    asker: str | None,
    chat_id: int | None,
    matches: int,
    top_claim_id: int | None,
    kind: QuestionKind = QuestionKind.QUESTION,
) -> QuestionLog:
    """Record a question and whether it found a claim (text cut to what the column holds).

    ``asker`` is the asker's pseudonym (``claims.tipline.askers``), never a user id or a name.
    """
    row = QuestionLog(
        question=question[:MAX_LOGGED_CHARS],
        asker=asker,
        chat_id=chat_id,
        kind=kind.value,
        matches=matches,
        top_claim_id=top_claim_id,
    )
    session.add(row)
    session.flush()
    return row


def get_question(*, session: Session, question_id: int) -> QuestionLog | None:
    """A logged question, for buttons that page through its answers later."""
    return session.get(QuestionLog, question_id)


def question_stats(*, session: Session, since: datetime, recent: int = 5) -> QuestionStats:
    """Questions answered and unanswered since ``since``, with the latest unanswered ones."""
    total, answered = session.exec(
        select(func.count(), func.coalesce(func.sum(case((col(QuestionLog.matches) > 0, 1), else_=0)), 0))
        .where(col(QuestionLog.asked_at) >= since)
    ).one()
    latest = session.exec(
        select(QuestionLog.question)
        .where(col(QuestionLog.asked_at) >= since, QuestionLog.matches == 0)
        .order_by(col(QuestionLog.asked_at).desc(), col(QuestionLog.id).desc())
        .limit(recent)
    ).all()
    return QuestionStats(
        answered=int(answered), unanswered=int(total) - int(answered), recent_unanswered=tuple(latest)
    )


def page_of_answers(
    *, session: Session, ask: Callable[..., list[Match]], question: str, page: int, per_page: int
) -> Answer:
    """One page of answers to ``question``: the live claims among the matcher's best, with their views
    loaded in one query. Asks for one more than needed, to know whether another page exists."""
    wanted = per_page * (page + 1)
    matches = ask(question, limit=wanted + 1)
    has_more = len(matches) > wanted
    shown = matches[per_page * page : wanted]
    views = get_claims(session=session, claim_ids=[m.claim_id for m in shown])
    live = {v.id: v for v in views if v.status == ClaimStatus.ACTIVE.value}
    kept = [m for m in shown if m.claim_id in live]
    return Answer(None, question, tuple(kept), tuple(live[m.claim_id] for m in kept), has_more)


def related_claims(*, session: Session, related: Callable[..., list[Match]], question: str,
                   limit: int) -> list[tuple[Match, ClaimView]]:
    """The live claims closest in meaning to a question that none answers, nearest first."""
    matches = related(question, limit=limit)
    views = {v.id: v for v in get_claims(session=session, claim_ids=[m.claim_id for m in matches])
             if v.status == ClaimStatus.ACTIVE.value}
    return [(m, views[m.claim_id]) for m in matches if m.claim_id in views]


def last_day() -> datetime:
    """The start of the window ``/stats`` reports: the last 24 hours."""
    return utcnow() - timedelta(days=1)
