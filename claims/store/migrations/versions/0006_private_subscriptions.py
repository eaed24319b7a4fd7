"""private subscriptions and erasures: who subscribed is kept as the askers' salted pseudonym, not a
user id; readers' data deleted (/forget, retention) is counted in ``erasure``

``subscription.user_id`` held the raw Telegram id of whoever subscribed. It becomes ``subscriber``,
the same salted HMAC the question log keeps (``asker``), so a reader's subscriptions can be found
(``/forget``) and counted without the store knowing who they are. The salt comes from the settings
(``db.upgrade(..., asker_salt=...)``), as for revision 0004; without one a random salt is used.

This migration copies the few lines of hashing it needs instead of importing them: application
code changes, a migration must not change with it.

Revision ID: 0006_private_subscriptions
Revises: 0005
"""

import hashlib
import hmac
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_private_subscriptions"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
PSEUDONYM_CHARS = 32


def _pseudonym(user_id: int, salt: bytes) -> str:
    """As ``claims.tipline.askers.asker_key`` computed it when this migration was written."""
    return hmac.new(salt, str(int(user_id)).encode(), hashlib.sha256).hexdigest()[:PSEUDONYM_CHARS]


def upgrade() -> None:
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subscriber", sa.String(length=PSEUDONYM_CHARS), nullable=True))
    salt = op.get_context().config.attributes.get("asker_salt") or secrets.token_bytes(32)  # type: ignore[union-attr]
    conn = op.get_bind()
    subs = sa.table("subscription", sa.column("id", sa.Integer), sa.column("user_id", sa.BigInteger),
                    sa.column("subscriber", sa.String))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(subs.c.id, subs.c.user_id).where(subs.c.id > last, subs.c.user_id.is_not(None))
            .order_by(subs.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        conn.execute(
            subs.update().where(subs.c.id == sa.bindparam("row_id")).values(subscriber=sa.bindparam("key")),
            [{"row_id": row_id, "key": _pseudonym(user_id, salt)} for row_id, user_id in rows],
        )
        last = rows[-1][0]
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.drop_column("user_id")
        batch_op.create_index(batch_op.f("ix_subscription_subscriber"), ["subscriber"], unique=False)

    op.create_table(
        "erasure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=10), nullable=False),
        sa.Column("questions", sa.Integer(), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.Column("links", sa.Integer(), nullable=False),
        sa.Column("subscriptions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("erasure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_erasure_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("erasure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erasure_at"))
    op.drop_table("erasure")
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscription_subscriber"))
        batch_op.add_column(sa.Column("user_id", sa.BigInteger(), nullable=True))  # the ids are gone
        batch_op.drop_column("subscriber")
