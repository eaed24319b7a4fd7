"""removed appearances

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claimappearance", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("removed_in_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claimappearance", schema=None) as batch_op:
        batch_op.drop_column("removed_in_version")
        batch_op.drop_column("removed_at")
