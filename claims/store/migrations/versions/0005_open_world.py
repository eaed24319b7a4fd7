"""open world: learned speaker aliases, several topics per claim, discovered topics, claim context,
saved searches and the admin change log

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 14:43:00.066568
"""

import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOW = sa.text("CURRENT_TIMESTAMP")

# How alias keys were computed at this revision (``claims.store.nameforms.name_key`` over
# ``claims.normalize``), frozen here: a migration never imports live code, which may change under it.
_QUOTES = str.maketrans({
    "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"',
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "‹": "'", "›": "'", "`": "'",
    "–": "-", "—": "-", "‐": "-", "‑": "-", "‒": "-", "―": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
})
_NON_WORD = re.compile(r"[^\w']+", re.UNICODE)
_SPACES = re.compile(r"\s+")
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


def _clean_text(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).translate(_QUOTES)).replace("\x00", "").strip()


def _name_key(text: str) -> str:
    text = unicodedata.normalize("NFKD", _clean_text(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    words = _NON_WORD.sub(" ", _clean_text(text).casefold()).replace("'", "")
    return _LEADING_ARTICLE.sub("", _SPACES.sub(" ", words).strip())


def _ts(name: str, *, nullable: bool = False, server_default: sa.TextClause | None = None) -> sa.Column:
    return sa.Column(
        name, sa.DateTime(timezone=True), nullable=nullable,
        server_default=server_default,
    )


def _str(name: str, length: int, *, nullable: bool = False, server_default: str | None = None) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=nullable,
                     server_default=server_default)


def upgrade() -> None:
    op.create_table(
        "entitychange",
        sa.Column("id", sa.Integer(), nullable=False),
        _str("entity", 10),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        _str("action", 20),
        _str("old_value", 300, nullable=True),
        _str("new_value", 300, nullable=True),
        sa.Column("related_id", sa.Integer(), nullable=True),
        sa.Column("admin_id", sa.BigInteger(), nullable=True),
        _str("admin_name", 200, nullable=True),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("entitychange", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entitychange_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_entitychange_entity"), ["entity"], unique=False)
        batch_op.create_index(batch_op.f("ix_entitychange_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "savedsearch",
        sa.Column("id", sa.Integer(), nullable=False),
        _str("phrase", 300),
        _str("key", 300),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("savedsearch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_savedsearch_key"), ["key"], unique=True)

    op.create_table(
        "speakeralias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        _str("alias", 300),
        _str("key", 300),
        _str("kind", 20),
        sa.Column("article_id", sa.Integer(), nullable=True),
        _ts("created_at"),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"]),
        sa.ForeignKeyConstraint(["speaker_id"], ["speaker.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("speaker_id", "key", name="uq_speaker_alias"),
    )
    with op.batch_alter_table("speakeralias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_speakeralias_key"), ["key"], unique=False)
        batch_op.create_index(batch_op.f("ix_speakeralias_speaker_id"), ["speaker_id"], unique=False)

    op.create_table(
        "claimtopic",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"]),
        sa.ForeignKeyConstraint(["topic_id"], ["topic.id"]),
        sa.PrimaryKeyConstraint("claim_id", "topic_id"),
    )
    with op.batch_alter_table("claimtopic", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claimtopic_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "phrasesighting",
        sa.Column("id", sa.Integer(), nullable=False),
        _str("key", 200),
        _str("surface", 200),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=True),
        _ts("created_at"),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"]),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", "claim_id", name="uq_phrase_claim"),
    )
    with op.batch_alter_table("phrasesighting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_phrasesighting_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_phrasesighting_key"), ["key"], unique=False)

    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.add_column(sa.Column("context", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("resolved_text", sa.Text(), nullable=True))

    _move_aliases_to_table()

    with op.batch_alter_table("speaker", schema=None) as batch_op:
        batch_op.add_column(_str("affiliation", 200, nullable=True))
        batch_op.add_column(sa.Column("article_id", sa.Integer(), nullable=True))
        batch_op.add_column(_ts("created_at", server_default=_NOW))
        batch_op.drop_index(batch_op.f("ix_speaker_name"))
        batch_op.create_index(batch_op.f("ix_speaker_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_speaker_article_id"), ["article_id"], unique=False)
        batch_op.create_index(
            "uq_speaker_entity_name", ["name"], unique=True,
            sqlite_where=sa.text("article_id IS NULL"), postgresql_where=sa.text("article_id IS NULL"),
        )
        batch_op.create_foreign_key("fk_speaker_article_id", "article", ["article_id"], ["id"])
        batch_op.drop_column("aliases")

    with op.batch_alter_table("topic", schema=None) as batch_op:
        batch_op.add_column(_str("kind", 20, server_default="configured"))
        batch_op.add_column(_str("key", 200, nullable=True))
        batch_op.add_column(sa.Column("hidden", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.add_column(_ts("created_at", server_default=_NOW))
        batch_op.create_index(batch_op.f("ix_topic_key"), ["key"], unique=False)
        batch_op.create_foreign_key("fk_topic_merged_into_id", "topic", ["merged_into_id"], ["id"])


def _move_aliases_to_table() -> None:
    """Each alias in the old JSON column becomes a ``speakeralias`` row (seed data: no article)."""
    conn = op.get_bind()
    speaker = sa.table("speaker", sa.column("id", sa.Integer), sa.column("name", sa.String),
                       sa.column("aliases", sa.JSON))
    alias = sa.table("speakeralias", sa.column("speaker_id", sa.Integer), sa.column("alias", sa.String),
                     sa.column("key", sa.String), sa.column("kind", sa.String),
                     sa.column("created_at", sa.DateTime(timezone=True)))
    now = datetime.now(UTC)
    rows = []
    for sid, name, aliases in conn.execute(sa.select(speaker.c.id, speaker.c.name, speaker.c.aliases)):
        seen: set[str] = set()
        for spelling in (name, *(aliases or [])):
            key = _name_key(spelling)
            if key and key not in seen:
                seen.add(key)
                rows.append({"speaker_id": sid, "alias": spelling[:300], "key": key[:300],
                             "kind": "name", "created_at": now})
    if rows:
        conn.execute(alias.insert(), rows)


def downgrade() -> None:
    with op.batch_alter_table("topic", schema=None) as batch_op:
        batch_op.drop_constraint("fk_topic_merged_into_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_topic_key"))
        batch_op.drop_column("created_at")
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("hidden")
        batch_op.drop_column("key")
        batch_op.drop_column("kind")

    with op.batch_alter_table("speaker", schema=None) as batch_op:
        batch_op.add_column(sa.Column("aliases", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.drop_constraint("fk_speaker_article_id", type_="foreignkey")
        batch_op.drop_index("uq_speaker_entity_name")
        batch_op.drop_index(batch_op.f("ix_speaker_article_id"))
        batch_op.drop_index(batch_op.f("ix_speaker_name"))
        batch_op.create_index(batch_op.f("ix_speaker_name"), ["name"], unique=True)
        batch_op.drop_column("created_at")
        batch_op.drop_column("article_id")
        batch_op.drop_column("affiliation")

    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_column("resolved_text")
        batch_op.drop_column("context")

    op.drop_table("phrasesighting")
    op.drop_table("claimtopic")
    op.drop_table("speakeralias")
    op.drop_table("savedsearch")
    op.drop_table("entitychange")
