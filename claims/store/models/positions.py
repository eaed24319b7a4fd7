"""A claim's place in its speaker's record: the earlier claim on the same subject it follows, and
whether it contradicts it (a changed position)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from claims.store.models.columns import timestamp_column, utcnow


class PositionLink(SQLModel, table=True):
    """Written once when a claim is stored; an admin clearing a wrong flag sets ``cleared_at`` and a
    revision of the claim records who and why (the link itself is kept, so the record shows it)."""

    claim_id: int = Field(foreign_key="claim.id", primary_key=True)
    earlier_id: int = Field(foreign_key="claim.id", index=True)
    speaker_id: int = Field(foreign_key="speaker.id", index=True)
    changed: bool = Field(default=False)
    reason: str | None = Field(default=None, max_length=20)
    """How the claim contradicts the earlier one: ``polarity``, ``opposite``, ``number`` or ``stance``
    (``claims.positions.compare.Reason``)."""
    detail: str | None = Field(default=None, max_length=200)
    """What differs, for people ("5% / 50%")."""
    said_at: datetime = Field(sa_column=timestamp_column(index=True))
    """When the later claim was made (its earliest source's date): ``/changes`` lists by it."""
    cleared_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
