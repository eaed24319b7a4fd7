"""send budget: one row per shared rate limit, so every replica's delivery runner keeps one pace

Revision ID: 0008_send_budget
Revises: 0007
Create Date: 2026-12-07 17:40:00

Self-contained: a migration imports nothing from the application, so it keeps working when the code
it was written beside changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_send_budget"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sendbudget",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("next_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("sendbudget")
