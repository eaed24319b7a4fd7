"""Forgetting readers: what a reader sent, on their request (``/forget``), and everyone's after
``CLAIMBOT_RETENTION_DAYS`` (off by default).

What readers bring is theirs: logged questions and posts (``QuestionLog``, kept under a pseudonym),
links they reported (``ReportedLink``, counted, not attributed to anyone) and their subscriptions.
Claims, articles and the team's own edits are the newsroom's record and are never deleted here,
even when a reader's question or link led to them. Each deletion leaves an ``Erasure`` row with
counts only, which ``/stats`` reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, col

from claims.store.models import Erasure, QuestionKind, QuestionLog, ReportedLink, Subscription, utcnow


class Reason:
    FORGET = "forget"
    RETENTION = "retention"


@dataclass(frozen=True, slots=True)
class Erased:
    """How much one deletion removed."""

    questions: int = 0
    posts: int = 0
    links: int = 0
    subscriptions: int = 0

    @property
    def total(self) -> int:
        return self.questions + self.posts + self.links + self.subscriptions


@dataclass(frozen=True, slots=True)
class ErasureStats:
    """Totals for ``/stats``: readers' /forget requests and what retention removed."""

    requests: int
    forgotten: Erased
    expired: Erased


def forget_reader(*, session: Session, asker: str, private_chat_id: int | None = None) -> Erased:
    """Delete the questions and posts logged under ``asker`` and the subscriptions they made (and
    every subscription of their private chat, ``private_chat_id``, made before subscriptions kept a
    pseudonym). Recorded as one ``Erasure`` even when nothing was there, so requests are counted."""
    questions = _delete(session, sa.delete(QuestionLog).where(
        col(QuestionLog.asker) == asker, col(QuestionLog.kind) == QuestionKind.QUESTION.value))
    posts = _delete(session, sa.delete(QuestionLog).where(
        col(QuestionLog.asker) == asker, col(QuestionLog.kind) != QuestionKind.QUESTION.value))
    theirs = col(Subscription.subscriber) == asker
    if private_chat_id is not None and private_chat_id > 0:
        theirs = sa.or_(theirs, col(Subscription.chat_id) == private_chat_id)
    subscriptions = _delete(session, sa.delete(Subscription).where(theirs))
    erased = Erased(questions=questions, posts=posts, subscriptions=subscriptions)
    _record(session, Reason.FORGET, erased)
    return erased


def expire(*, session: Session, days: int, now: datetime | None = None) -> Erased:
    """Delete logged questions and posts asked, and reported links last reported, more than
    ``days`` ago. Subscriptions are not expired: a reader who still follows something still wants
    it (``/forget`` and ``/unsubscribe`` remove them)."""
    before = (now or utcnow()) - timedelta(days=days)
    questions = _delete(session, sa.delete(QuestionLog).where(
        col(QuestionLog.asked_at) < before, col(QuestionLog.kind) == QuestionKind.QUESTION.value))
    posts = _delete(session, sa.delete(QuestionLog).where(
        col(QuestionLog.asked_at) < before, col(QuestionLog.kind) != QuestionKind.QUESTION.value))
    links = _delete(session, sa.delete(ReportedLink).where(col(ReportedLink.last_reported_at) < before))
    erased = Erased(questions=questions, posts=posts, links=links)
    if erased.total:
        _record(session, Reason.RETENTION, erased)
    return erased


def erasure_stats(*, session: Session) -> ErasureStats:
    """Every ``/forget`` and retention run so far, summed."""
    sums = {reason: Erased() for reason in (Reason.FORGET, Reason.RETENTION)}
    requests = 0
    rows = session.execute(sa.select(col(Erasure.reason), sa.func.count(), sa.func.sum(Erasure.questions),
                                     sa.func.sum(Erasure.posts), sa.func.sum(Erasure.links),
                                     sa.func.sum(Erasure.subscriptions)).group_by(col(Erasure.reason)))
    for reason, n, questions, posts, links, subscriptions in rows:
        sums[reason] = Erased(int(questions or 0), int(posts or 0), int(links or 0), int(subscriptions or 0))
        if reason == Reason.FORGET:
            requests = int(n)
    return ErasureStats(requests=requests, forgotten=sums[Reason.FORGET], expired=sums[Reason.RETENTION])


def _delete(session: Session, statement: Any) -> int:
    return int(cast(CursorResult[Any], session.execute(statement)).rowcount or 0)


def _record(session: Session, reason: str, erased: Erased) -> None:
    session.add(Erasure(reason=reason, questions=erased.questions, posts=erased.posts, links=erased.links,
                        subscriptions=erased.subscriptions))
    session.flush()
