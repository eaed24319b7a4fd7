"""The claim store: schema, identity across articles, append-only history. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import Session, SQLModel, select

from claims.catalog import Catalog
from claims.errors import InvalidArgumentError, NotFoundError, SchemaOutdatedError
from claims.ingest.pipeline import ArticleStatus, ingest_article
from claims.ingest.sources import ArticleInput
from claims.store import db
from claims.store.counts import store_stats
from claims.store.history import Actor, edit_claim, merge_claims, retract_claim, set_verdict
from claims.store.models import Claim, ClaimRevision
from claims.store.views import claim_history, get_claim, list_claims

pytestmark = pytest.mark.postgres

URL = "https://news.example.com/2025/03/13/talks"
PUBLISHED = datetime(2025, 3, 13, 18, 0, tzinfo=UTC)

BODY = (
    "Talks on a truce continue\n"
    "Officials met in Moscow on Thursday as negotiations on a cease-fire continued.\n"
    "“We have very serious discussions going on right now about the cease-fire,” "
    "Mr. Trump said on Thursday.\n"
    "“Greenland is not for sale and never will be,” Mette Frederiksen said in Copenhagen.\n"
)
UPDATED_BODY = BODY.replace(
    "very serious discussions going on right now about the cease-fire",
    "very serious and productive discussions going on right now about the cease-fire",
) + "“The alliance has never been stronger,” Mark Rutte said at the meeting.\n"


def article(body: str = BODY, url: str | None = URL, title: str = "Talks") -> ArticleInput:
    return ArticleInput(text=body, url=url, canonical_url=url, title=title, published_at=PUBLISHED)


def ingest(session: Session, catalog: Catalog, art: ArticleInput):
    report = ingest_article(art, session=session, catalog=catalog)
    session.commit()
    return report


def snapshot(session: Session) -> list[tuple]:
    claims = session.exec(select(Claim.id, Claim.text, Claim.revision).order_by(Claim.id)).all()
    revs = session.exec(select(sa.func.count()).select_from(ClaimRevision)).one()
    return [*claims, ("revisions", revs)]


def test_migrations_match_models(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
    assert db.current_revision(engine) == db.head_revision()


def test_outdated_schema_is_refused(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("update alembic_version set version_num = 'older'"))
    with pytest.raises(SchemaOutdatedError, match="claimbot db upgrade"):
        db.check_schema(engine)


def test_empty_database_is_refused_with_instructions(tmp_path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    with pytest.raises(SchemaOutdatedError, match="db upgrade"):
        db.check_schema(engine)


def test_sqlite_runs_in_wal_mode_with_busy_timeout(tmp_path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as conn:
        assert conn.execute(sa.text("pragma journal_mode")).scalar_one() == "wal"
        assert conn.execute(sa.text("pragma busy_timeout")).scalar_one() >= 5000


def test_ingest_creates_claims_with_speaker_topic_and_source(session, catalog) -> None:
    report = ingest(session, catalog, article())
    assert report.status is ArticleStatus.NEW
    assert len(report.added) == 2
    views = {v.speaker: v for v in list_claims(session=session)}
    trump = views["Donald Trump"]
    assert "serious discussions" in trump.text
    assert trump.topic == "ceasefire"
    assert trump.kind == "direct"
    assert trump.revision == 1
    assert [s.url for s in trump.sources] == [URL]
    assert trump.sources[0].published_at == PUBLISHED
    assert views["Mette Frederiksen"].topic == "greenland"


def test_reingesting_the_same_article_changes_nothing(session, catalog) -> None:
    ingest(session, catalog, article())
    before = snapshot(session)
    report = ingest(session, catalog, article())
    assert report.status is ArticleStatus.UNCHANGED
    assert report.added == [] and report.revised == []
    assert snapshot(session) == before


def test_updated_article_revises_changed_claims_only(session, catalog) -> None:
    first = ingest(session, catalog, article())
    report = ingest(session, catalog, article(UPDATED_BODY))
    assert report.status is ArticleStatus.UPDATED
    assert len(report.revised) == 1
    assert len(report.added) == 1  # Rutte's new quote
    assert len(report.unchanged) == 1  # Frederiksen's quote untouched
    revised = get_claim(session=session, claim_id=report.revised[0])
    assert revised.id in first.added
    assert "productive" in revised.text
    assert revised.revision == 2
    history = claim_history(session=session, claim_id=revised.id)
    assert [h.change for h in history] == ["created", "text"]
    assert "productive" not in history[0].text
    assert history[1].old_text == history[0].text
    assert history[1].source is not None and history[1].source.url == URL
    untouched = get_claim(session=session, claim_id=report.unchanged[0])
    assert untouched.revision == 1


def test_same_statement_in_another_article_adds_an_appearance(session, catalog) -> None:
    first = ingest(session, catalog, article())
    other = article(BODY.replace("Talks on a truce continue", "Wire report"),
                    url="https://wire.example.org/story/1", title="Wire")
    report = ingest(session, catalog, other)
    assert report.added == []
    assert sorted(report.appeared) == sorted(first.added)
    assert store_stats(session=session).claims == 2
    view = get_claim(session=session, claim_id=first.added[0])
    assert {s.url for s in view.sources} == {URL, "https://wire.example.org/story/1"}
    assert view.revision == 1


def test_admin_changes_append_revisions(session, catalog) -> None:
    report = ingest(session, catalog, article())
    a, b = report.added
    admin = Actor(id=42, name="desk")
    set_verdict(session=session, claim_id=a, verdict="Misleading", actor=admin, note="Context")
    edit_claim(session=session, claim_id=a, text="A corrected quote", actor=admin)
    merge_claims(session=session, claim_id=b, into_id=a, actor=admin)
    session.commit()
    history = claim_history(session=session, claim_id=a)
    assert [h.change for h in history] == ["created", "verdict", "edited", "merged"]
    assert history[1].old_verdict == "unverified" and history[1].verdict == "misleading"
    assert history[2].text == "A corrected quote" and history[2].verdict == "misleading"
    assert history[3].related_claim_id == b
    assert all(h.admin_id == 42 for h in history[1:])
    merged = get_claim(session=session, claim_id=b)
    assert merged.status == "merged" and merged.merged_into_id == a
    assert [v.id for v in list_claims(session=session)] == [a]
    with pytest.raises(InvalidArgumentError, match="merged into"):
        retract_claim(session=session, claim_id=b, actor=admin)
    retract_claim(session=session, claim_id=a, actor=admin, reason="Misattributed")
    session.commit()
    assert list_claims(session=session) == []
    assert get_claim(session=session, claim_id=a).status == "retracted"


def test_followers_of_a_merged_claim_follow_the_survivor(session, catalog) -> None:
    from claims.follow.subscriptions import list_subscriptions, subscribe
    from claims.follow.targets import target_by_id
    from claims.store.models import TargetKind

    a, b = ingest(session, catalog, article()).added
    for chat, followed in ((1, b), (2, b), (2, a)):
        subscribe(session=session, chat_id=chat,
                  target=target_by_id(session=session, kind=TargetKind.CLAIM, target_id=followed))
    session.commit()
    merge_claims(session=session, claim_id=b, into_id=a, actor=Actor(id=9))
    session.commit()
    assert [v.target.id for v in list_subscriptions(session=session, chat_id=1)] == [a]
    assert sorted(v.target.id for v in list_subscriptions(session=session, chat_id=2)) == sorted([a, b])


def test_bad_admin_input_changes_nothing(session, catalog) -> None:
    report = ingest(session, catalog, article())
    cid = report.added[0]
    before = snapshot(session)
    admin = Actor(id=1)
    with pytest.raises(InvalidArgumentError, match="accurate, misleading"):
        set_verdict(session=session, claim_id=cid, verdict="wrong-ish", actor=admin)
    with pytest.raises(NotFoundError, match="#999"):
        edit_claim(session=session, claim_id=999, text="x", actor=admin)
    with pytest.raises(InvalidArgumentError, match="empty"):
        edit_claim(session=session, claim_id=cid, text="   ", actor=admin)
    with pytest.raises(InvalidArgumentError, match="itself"):
        merge_claims(session=session, claim_id=cid, into_id=cid, actor=admin)
    session.rollback()
    assert snapshot(session) == before


def test_revisions_are_numbered_uniquely(session, catalog) -> None:
    report = ingest(session, catalog, article())
    cid = report.added[0]
    session.add(ClaimRevision(claim_id=cid, revision=1, change="text"))
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()
    session.rollback()


def test_naive_datetimes_are_rejected(session) -> None:
    from claims.store.models import Article

    session.add(Article(content_hash="x", text="t", published_at=datetime(2025, 1, 1)))
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        session.flush()
    session.rollback()
