"""tipline: pseudonymous askers, question kinds and handling, reported links, team digests

The question log's ``user_id`` becomes ``asker``, a salted hash (``claims.tipline.askers``): every
row is kept, so question counts stay, and one user's rows get one pseudonym, so counts of distinct
askers stay too. The salt comes from the settings (``db.upgrade(..., asker_salt=...)``); without
one a random salt is used, which keeps the counts but cannot link old rows to new questions.
Private chats' ids (the users' own ids) are cleared; group ids are kept.

Revision ID: 0004
Revises: 0003
"""

import hashlib
import hmac
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def _asker_key(user_id: int, salt: bytes) -> str:
    """The pseudonym of a user id, frozen as ``claims.tipline.askers.asker_key`` was at this
    revision: a migration never imports live code, which may change under it."""
    return hmac.new(salt, str(int(user_id)).encode(), hashlib.sha256).hexdigest()[:32]


def upgrade() -> None:
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_url"), ["url"], unique=False)

    with op.batch_alter_table("questionlog", schema=None) as batch_op:
        batch_op.add_column(sa.Column("asker", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False,
                                      server_default="question"))
        batch_op.add_column(sa.Column("handled_at", sa.DateTime(timezone=True),
                                      nullable=True))
    _pseudonymise_askers()
    with op.batch_alter_table("questionlog", schema=None) as batch_op:
        batch_op.alter_column("kind", server_default=None)
        batch_op.drop_column("user_id")
        batch_op.create_index(batch_op.f("ix_questionlog_asker"), ["asker"], unique=False)

    op.create_table(
        "reportedlink",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("first_reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reportedlink", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reportedlink_key"), ["key"], unique=True)
        batch_op.create_index(batch_op.f("ix_reportedlink_last_reported_at"), ["last_reported_at"],
                              unique=False)

    op.create_table(
        "teamdigestrun",
        sa.Column("week", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("week"),
    )


def _pseudonymise_askers() -> None:
    """Hash every stored user id in batches; clear private chat ids (they are user ids)."""
    salt = op.get_context().config.attributes.get("asker_salt") or secrets.token_bytes(32)  # type: ignore[union-attr]
    conn = op.get_bind()
    log = sa.table("questionlog", sa.column("id", sa.Integer), sa.column("user_id", sa.BigInteger),
                   sa.column("asker", sa.String), sa.column("chat_id", sa.BigInteger))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(log.c.id, log.c.user_id).where(log.c.id > last, log.c.user_id.is_not(None))
            .order_by(log.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        conn.execute(
            log.update().where(log.c.id == sa.bindparam("row_id")).values(asker=sa.bindparam("key")),
            [{"row_id": row_id, "key": _asker_key(user_id, salt)} for row_id, user_id in rows],
        )
        last = rows[-1][0]
    conn.execute(log.update().where(log.c.chat_id > 0).values(chat_id=None))


def downgrade() -> None:
    op.drop_table("teamdigestrun")
    with op.batch_alter_table("reportedlink", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reportedlink_last_reported_at"))
        batch_op.drop_index(batch_op.f("ix_reportedlink_key"))
    op.drop_table("reportedlink")
    with op.batch_alter_table("questionlog", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionlog_asker"))
        batch_op.add_column(sa.Column("user_id", sa.BigInteger(), nullable=True))  # the ids are gone
        batch_op.drop_column("handled_at")
        batch_op.drop_column("kind")
        batch_op.drop_column("asker")
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_url"))
