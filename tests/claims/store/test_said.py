"""``Claim.said_at``, the stored date a statement was made (what timelines sort by): filled at
ingest, by an import, a merge and the migration, and moved when an earlier source turns up."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import Session, select

from claims.catalog import Catalog
from claims.ingest.pipeline import ingest_article
from claims.ingest.sources import ArticleInput
from claims.store import db
from claims.store.history import Actor, merge_claims
from claims.store.models import Claim
from claims.store.transfer.importing import import_claims
from claims.store.transfer.records import ImportRecord

pytestmark = pytest.mark.postgres

MARCH_13 = datetime(2025, 3, 13, 18, 0, tzinfo=UTC)
MARCH_1 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
APRIL_2 = datetime(2025, 4, 2, 9, 0, tzinfo=UTC)
QUOTE = "“Greenland is not for sale and never will be,” Mette Frederiksen said in Copenhagen.\n"


def _ingest(session: Session, catalog: Catalog, url: str, published: datetime | None,
            extra: str = "") -> list[int]:
    body = f"Talks on Greenland\n{QUOTE}{extra}"
    report = ingest_article(ArticleInput(text=body, url=url, canonical_url=url, title="Greenland",
                                         published_at=published), session=session, catalog=catalog)
    session.commit()
    return report.added + report.appeared + report.revised + report.unchanged


def _said(session: Session, claim_id: int) -> datetime | None:
    return session.exec(select(Claim.said_at).where(Claim.id == claim_id)).one()


def test_ingest_stores_the_earliest_sources_date(session: Session, catalog: Catalog) -> None:
    [claim] = _ingest(session, catalog, "https://news.example/a", MARCH_13)
    assert _said(session, claim) == MARCH_13
    # the same quote in an older report: the claim was said by then
    assert _ingest(session, catalog, "https://news.example/b", APRIL_2) == [claim]
    assert _said(session, claim) == MARCH_13
    assert _ingest(session, catalog, "https://news.example/c", MARCH_1) == [claim]
    assert _said(session, claim) == MARCH_1
    # that report, updated with a corrected date: the next earliest source counts again
    _ingest(session, catalog, "https://news.example/c", APRIL_2, extra="Talks went on.\n")
    assert _said(session, claim) == MARCH_13
    assert session.get(Claim, claim).said_at == MARCH_13  # a loaded claim sees the new value


def test_an_undated_source_gives_the_time_of_recording(session: Session, catalog: Catalog) -> None:
    [claim] = _ingest(session, catalog, "https://news.example/undated", None)
    row = session.get(Claim, claim)
    assert row is not None and row.said_at == row.created_at


def test_import_dates_claims_with_a_source_and_leaves_the_rest_undated(session: Session,
                                                                      catalog: Catalog) -> None:
    report = import_claims([
        ImportRecord(text="Tariffs will pay for everything.", speaker="Donald Trump",
                     source_url="https://news.example/tariffs", published_at=MARCH_1),
        ImportRecord(text="The alliance has never been stronger.", speaker="Mark Rutte"),
    ], session=session, catalog=catalog)
    session.commit()
    sourced, bare = report.claim_ids
    assert _said(session, sourced) == MARCH_1
    assert _said(session, bare) is None  # no source reports it: no timeline places it


def test_a_merge_gives_the_survivor_its_duplicates_earlier_date(session: Session, catalog: Catalog) -> None:
    report = import_claims([
        ImportRecord(text="Greenland is not for sale.", speaker="Mette Frederiksen",
                     source_url="https://news.example/late", published_at=APRIL_2),
        ImportRecord(text="Greenland is not for sale, and never will be.", speaker="Mette Frederiksen",
                     source_url="https://news.example/early", published_at=MARCH_1),
    ], session=session, catalog=catalog)
    session.commit()
    survivor, duplicate = report.claim_ids
    merge_claims(session=session, claim_id=duplicate, into_id=survivor, actor=Actor(id=None, name="Desk"))
    session.commit()
    assert _said(session, survivor) == MARCH_1


def test_the_migration_fills_said_at_for_stored_claims(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    db.upgrade(engine, "0007")
    created = datetime(2025, 5, 1, tzinfo=UTC)
    with engine.begin() as conn:
        for aid, published in ((1, MARCH_13), (2, MARCH_1), (3, None)):
            conn.execute(sa.text(
                "insert into article (id, url, canonical_url, title, text, content_hash, published_at, "
                "fetched_at, version) values (:id, :url, :url, 't', '', :h, :p, :at, 1)"
            ), {"id": aid, "url": f"https://news.example/{aid}", "h": f"h{aid}", "p": published,
                "at": created})
        for cid in (1, 2, 3):
            conn.execute(sa.text(
                "insert into claim (id, text, kind, verdict, status, revision, fingerprint, created_at, "
                "updated_at) values (:id, 'said', 'direct', 'unverified', 'active', 1, :f, :at, :at)"
            ), {"id": cid, "f": f"f{cid}", "at": created})
        for cid, aid in ((1, 1), (1, 2), (2, 3)):  # 1: two dated sources; 2: an undated one; 3: none
            conn.execute(sa.text(
                "insert into claimappearance (claim_id, article_id, sentence_index, sentence, start, "
                "\"end\", confidence, created_at) values (:c, :a, 0, '', 0, 0, 1.0, :at)"
            ), {"c": cid, "a": aid, "at": created})
    db.upgrade(engine)
    with Session(engine) as session:
        assert [_said(session, c) for c in (1, 2, 3)] == [MARCH_1, created, None]
        plan = " ".join(str(r) for r in session.connection().exec_driver_sql(
            "explain query plan select id from claim where speaker_id = 1 and status = 'active' "
            "and said_at is not null order by said_at, id"))
        assert "ix_claim_speaker_said" in plan and "TEMP B-TREE" not in plan  # read in order, unsorted
    command.downgrade(db._alembic_config(engine), "0007")  # and back
    with engine.connect() as conn:
        assert "said_at" not in {c["name"] for c in sa.inspect(conn).get_columns("claim")}
    engine.dispose()

