"""What readers bring: logged questions and posts, links they sent, and the team's weekly digest runs."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from claims.store.models.columns import timestamp_column, utcnow


class QuestionKind(StrEnum):
    """What a logged entry was: a question, or a forwarded or pasted post checked sentence by sentence."""

    QUESTION = "question"
    POST = "post"


class QuestionLog(SQLModel, table=True):
    """A question asked in chat and whether it found a claim: what ``/stats`` and ``/unanswered`` report.

    Askers are pseudonymous: ``asker`` is a salted hash of the Telegram user id (``claims.tipline.
    askers``), enough to count how many people asked, never who. ``chat_id`` is kept for groups
    only: a private chat's id is the user's own id. ``handled_at`` is set when the team has dealt
    with an unanswered question (the "handled" button on ``/unanswered``).
    """

    id: int | None = Field(default=None, primary_key=True)
    asked_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column(index=True))
    asker: str | None = Field(default=None, max_length=32, index=True)
    chat_id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, nullable=True))
    kind: str = Field(default=QuestionKind.QUESTION.value, max_length=10)
    question: str = Field(max_length=1000)
    matches: int = 0
    top_claim_id: int | None = Field(default=None, foreign_key="claim.id")
    handled_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))


class ReportedLink(SQLModel, table=True):
    """A link readers sent that is not a tracked article: recorded for the team, never fetched for them.

    ``key`` is the normalised URL (``claims.tipline.links.link_key``), so the same article sent with
    tracking parameters, ``www.`` or a trailing slash counts as one; ``url`` is the first spelling
    seen (what an admin's Ingest button fetches). ``handled_at``/``article_id`` are set once ingested.
    """

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=2048, unique=True, index=True)
    url: str = Field(max_length=2048)
    reports: int = 1
    first_reported_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    last_reported_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column(index=True))
    handled_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    article_id: int | None = Field(default=None, foreign_key="article.id")


class Erasure(SQLModel, table=True):
    """Readers' data deleted: one row per ``/forget`` (reason "forget") and per retention run that
    deleted something (reason "retention"), with how much went. Counts only, never whose: what
    ``/stats`` reports."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column(index=True))
    reason: str = Field(max_length=10)
    questions: int = 0
    posts: int = 0
    links: int = 0
    subscriptions: int = 0


class TeamDigestRun(SQLModel, table=True):
    """One weekly digest of unanswered questions for the admins: the row claims the week, so several
    bot processes on one database send it once."""

    week: str = Field(primary_key=True, max_length=16)  # ISO week, e.g. "2026-W49"
    sent_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
