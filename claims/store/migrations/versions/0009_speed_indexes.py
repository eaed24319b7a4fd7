"""speed: a claim's said_at stored and indexed with its speaker; the live-claims-by-change index

Revision ID: 0009_speed_indexes
Revises: 0007
Create Date: 2026-12-07 17:45:00

``claim.said_at`` (when the statement was made: the earliest publication date among its sources,
else when it was recorded; NULL while no source reports it) is filled here for existing claims with
the same rule the application keeps (``claims.store.said``), copied as SQL: a migration imports
nothing from the application. ``ix_claim_speaker_said`` serves timelines, ``ix_claim_status_updated``
the desk's queue, the sitemap and ``/claims``; the single-column indexes on ``speaker_id`` and
``status`` are prefixes of the new ones and go.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_speed_indexes"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILL_SAID_AT = """
UPDATE claim SET said_at = CASE
    WHEN EXISTS (SELECT 1 FROM claimappearance ca WHERE ca.claim_id = claim.id)
    THEN COALESCE((SELECT min(a.published_at) FROM claimappearance ca
                   JOIN article a ON a.id = ca.article_id WHERE ca.claim_id = claim.id),
                  claim.created_at)
    END
"""


def upgrade() -> None:
    op.add_column("claim", sa.Column("said_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(FILL_SAID_AT)
    op.create_index("ix_claim_speaker_said", "claim", ["speaker_id", "status", "said_at"], unique=False)
    op.create_index("ix_claim_status_updated", "claim", ["status", "updated_at"], unique=False)
    op.drop_index("ix_claim_speaker_id", table_name="claim")
    op.drop_index("ix_claim_status", table_name="claim")


def downgrade() -> None:
    op.create_index("ix_claim_status", "claim", ["status"], unique=False)
    op.create_index("ix_claim_speaker_id", "claim", ["speaker_id"], unique=False)
    op.drop_index("ix_claim_status_updated", table_name="claim")
    op.drop_index("ix_claim_speaker_said", table_name="claim")
    op.execute("ALTER TABLE claim DROP COLUMN said_at")  # SQLite 3.35+ and PostgreSQL: no table copy
