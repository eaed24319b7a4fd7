"""positions: each claim's earlier claim by the same speaker on the same subject, and changed positions

Revision ID: 0007
Revises: 0006_private_subscriptions
Create Date: 2026-12-07 15:00:00

Self-contained: a migration imports nothing from the application, so it keeps working when the code
it was written beside changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006_private_subscriptions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "positionlink",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("earlier_id", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.Column("said_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"]),
        sa.ForeignKeyConstraint(["earlier_id"], ["claim.id"]),
        sa.ForeignKeyConstraint(["speaker_id"], ["speaker.id"]),
        sa.PrimaryKeyConstraint("claim_id"),
    )
    with op.batch_alter_table("positionlink", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_positionlink_earlier_id"), ["earlier_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_positionlink_speaker_id"), ["speaker_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_positionlink_said_at"), ["said_at"], unique=False)


def downgrade() -> None:
    op.drop_table("positionlink")
