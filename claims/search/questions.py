"""Questions asked in chat: answering them from the matcher, logging them, and counting them.

The bot, the console and the CLI all answer through ``answer_question`` so that every question is
logged the same way; ``/stats`` reads the log back through ``question_stats``. The matcher is an
in-memory index, so whoever changes claims must tell it: ``refresh_matcher`` re-reads the changed
claims and upserts or removes them, which is far cheaper than rebuilding the index.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from claims.search.match import Match, Matcher
from claims.store.models import ClaimStatus, QuestionLog, utcnow
from claims.store.views import ClaimView, NameCount, claim_docs, get_claims, topics_with_counts

MAX_LOGGED_CHARS = 1000


@dataclass(frozen=True, slots=True)
class Answer:
    """The claims answering one question (best first), or the topics we know when none does."""

    question_id: int
    question: str
    matches: tuple[Match, ...]
    claims: tuple[ClaimView, ...]
    has_more: bool
    known_topics: tuple[NameCount, ...] = ()

    @property
    def answered(self) -> bool:
        return bool(self.claims)


@dataclass(frozen=True, slots=True)
class QuestionStats:
    answered: int
    unanswered: int
    recent_unanswered: tuple[str, ...]


def log_question(
    *,
    session: Session,
    question: str,
    user_id: int | None,
    chat_id: int | None,
    matches: int,
    top_claim_id: int | None,
) -> QuestionLog:
    """Record a question and whether it found a claim (text cut to what the column holds)."""
    row = QuestionLog(
        question=question[:MAX_LOGGED_CHARS],
        user_id=user_id,
        chat_id=chat_id,
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


def _page(
    *, session: Session, matcher: Matcher, question: str, page: int, per_page: int
) -> tuple[list[Match], list[ClaimView], bool]:
    """One page of answers; asks for one more than needed to know whether another page exists."""
    wanted = per_page * (page + 1)
    matches = matcher.ask(question, limit=wanted + 1)
    has_more = len(matches) > wanted
    shown = matches[per_page * page : wanted]
    views = get_claims(session=session, claim_ids=[m.claim_id for m in shown])
    live = {v.id: v for v in views if v.status == ClaimStatus.ACTIVE.value}
    kept = [m for m in shown if m.claim_id in live]
    return kept, [live[m.claim_id] for m in kept], has_more


def answer_question(
    *,
    session: Session,
    matcher: Matcher,
    question: str,
    user_id: int | None = None,
    chat_id: int | None = None,
    per_page: int = 3,
) -> Answer:
    """Answer and log a question: the first page of matching claims, or the topics we do know."""
    matches, views, has_more = _page(
        session=session, matcher=matcher, question=question, page=0, per_page=per_page
    )
    row = log_question(
        session=session, question=question, user_id=user_id, chat_id=chat_id,
        matches=len(matches), top_claim_id=matches[0].claim_id if matches else None,
    )
    topics = () if views else tuple(topics_with_counts(session=session))
    assert row.id is not None
    return Answer(row.id, question, tuple(matches), tuple(views), has_more, topics)


def answer_page(
    *, session: Session, matcher: Matcher, question_id: int, page: int, per_page: int = 3
) -> Answer | None:
    """A later page of a logged question's answers (``None`` if the question is not on record)."""
    row = get_question(session=session, question_id=question_id)
    if row is None or row.id is None:
        return None
    matches, views, has_more = _page(
        session=session, matcher=matcher, question=row.question, page=page, per_page=per_page
    )
    return Answer(row.id, row.question, tuple(matches), tuple(views), has_more)


def refresh_matcher(*, session: Session, matcher: Matcher, claim_ids: Iterable[int]) -> None:
    """Bring changed claims up to date in the matcher: live ones upserted, the rest removed."""
    ids = list(dict.fromkeys(claim_ids))
    live = {doc.id: doc for doc in claim_docs(session=session, ids=ids)}
    for claim_id in ids:
        doc = live.get(claim_id)
        if doc is not None:
            matcher.upsert(doc)
        else:
            matcher.remove(claim_id)


def last_day() -> datetime:
    """The start of the window ``/stats`` reports: the last 24 hours."""
    return utcnow() - timedelta(days=1)
