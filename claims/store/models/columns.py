"""What every table shares: 32-bit ids, the store's one clock, timezone-aware timestamp columns,
and strings without NUL characters."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import SQLModel

MAX_ID = 2**31 - 1
"""Ids are 32-bit integer columns (PostgreSQL ``integer``)."""


def is_storable_id(value: int) -> bool:
    """Whether ``value`` can name a row. A larger number (or zero, or a negative one) names nothing,
    and must not reach PostgreSQL, which refuses it as out of range instead of finding no row."""
    return 0 < value <= MAX_ID


def utcnow() -> datetime:
    """The current time as an aware UTC datetime (the only clock the store uses)."""
    return datetime.now(UTC)


class AwareDateTime(sa.types.TypeDecorator[datetime]):
    """Stores UTC and always returns aware datetimes, also on SQLite which drops the offset."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the claim store; use UTC-aware datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def timestamp_column(*, nullable: bool = False, index: bool = False) -> sa.Column:
    """A column of ``AwareDateTime``: the only way a table stores a moment, so none comes back naive."""
    return sa.Column(AwareDateTime(), nullable=nullable, index=index)


@sa.event.listens_for(SQLModel, "before_insert", propagate=True)
@sa.event.listens_for(SQLModel, "before_update", propagate=True)
def _strip_nul(_mapper: sa.orm.Mapper, _connection: sa.Connection, target: SQLModel) -> None:
    """No stored string holds U+0000: PostgreSQL refuses it in text columns, and it means nothing in
    a question, a note or an article. Entry points strip it already; this catches the rest."""
    for attr in sa.inspect(target).mapper.column_attrs:
        value = getattr(target, attr.key, None)
        if isinstance(value, str) and "\x00" in value:
            setattr(target, attr.key, value.replace("\x00", ""))
