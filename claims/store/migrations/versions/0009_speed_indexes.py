"""speed: a claim's said_at stored and indexed with its speaker; the desk queue's filter indexes

Revision ID: 0009_speed_indexes
Revises: 0007
Create Date: 2026-12-07 17:45:00

``claim.said_at`` (when the statement was made: the earliest publication date among its sources,
else when it was recorded; NULL while no source reports it) is filled here for existing claims with
the same rule the application keeps (``claims.store.said``), copied as SQL: a migration imports
nothing from the application. ``ix_claim_speaker_said`` serves timelines; the ``*_updated`` indexes
serve the desk's queue under each filter (and the sitemap and ``/claims``, which read live claims
most recently changed first); ``ix_claim_speaker_created`` a speaker's web page;
``ix_claimrevision_change_created`` the newest verdicts. The single-column indexes the new claim
indexes begin with go.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_speed_indexes"
down_revision: str | None = "0008_send_budget"
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

QUEUE_INDEXES = {
    "ix_claim_status_updated": ["status", "updated_at"],
    "ix_claim_speaker_updated": ["speaker_id", "status", "updated_at"],
    "ix_claim_topic_updated": ["topic_id", "status", "updated_at"],
    "ix_claim_verdict_updated": ["verdict", "status", "updated_at"],
    "ix_claim_speaker_created": ["speaker_id", "status", "created_at"],
}
"""The desk's queue: a filter, live or not, most recently changed first, read off one index; and a
speaker's web page, most recently recorded first."""
REPLACED = {"ix_claim_speaker_id": "speaker_id", "ix_claim_status": "status",
            "ix_claim_topic_id": "topic_id", "ix_claim_verdict": "verdict"}
"""Single-column indexes that are prefixes of the new ones."""


def upgrade() -> None:
    op.add_column("claim", sa.Column("said_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(FILL_SAID_AT)
    op.create_index("ix_claim_speaker_said", "claim", ["speaker_id", "status", "said_at"], unique=False)
    for name, columns in QUEUE_INDEXES.items():
        op.create_index(name, "claim", columns, unique=False)
    for name in REPLACED:
        op.drop_index(name, table_name="claim")
    op.create_index("ix_claimrevision_change_created", "claimrevision", ["change", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_claimrevision_change_created", table_name="claimrevision")
    for name, column in REPLACED.items():
        op.create_index(name, "claim", [column], unique=False)
    for name in QUEUE_INDEXES:
        op.drop_index(name, table_name="claim")
    op.drop_index("ix_claim_speaker_said", table_name="claim")
    op.execute("ALTER TABLE claim DROP COLUMN said_at")  # SQLite 3.35+ and PostgreSQL: no table copy
