"""Retention and /forget (issue 23, finding 10): readers' questions, posts and links go after
``CLAIMBOT_RETENTION_DAYS`` or on the reader's request; claims, articles and the team's edits never
do; every deletion is counted for /stats."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from claims.catalog import Catalog
from claims.ingest.sources import load_file
from claims.service import ClaimService
from claims.settings import Settings
from claims.store.history import Actor
from claims.store.models import (
    Article,
    Claim,
    ClaimRevision,
    QuestionLog,
    ReportedLink,
    Subscription,
    utcnow,
)
from claims.tipline.posts import MessageKind
from claims.tipline.retention import Erased

GOLD = Path(__file__).resolve().parent / "gold"
READER, OTHER = 5551234, 5559876
LONG_POST = "Greenland is for sale and the tariffs are taxes, everybody knows it. " * 6

pytestmark = pytest.mark.postgres


def _count(engine: Engine, table: type) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(table)).one())


@pytest.fixture
def stocked(engine: Engine, catalog: Catalog, tmp_path: Path) -> ClaimService:
    service = ClaimService(Settings(database_url=str(engine.url), index_dir=tmp_path / "index",
                                    retention_days=30), engine, catalog)
    service.ingest(load_file(GOLD / "wire_tariffs.txt", canonical_url="https://x.example/w"))
    service.edit(1, "Tariffs are taxes paid by consumers.", actor=Actor(id=1, name="Desk"))
    return service


def test_forget_deletes_what_the_reader_sent_and_nothing_else(stocked: ClaimService, engine: Engine) -> None:
    for user in (READER, OTHER):
        stocked.ask("who painted the mona lisa", user_id=user, chat_id=user)
        stocked.check_message(LONG_POST, kind=MessageKind.POST, user_id=user, chat_id=user)
        stocked.subscribe(chat_id=user, query="tariffs", user_id=user)
    stocked.subscribe(chat_id=-100500, query="tariffs", user_id=READER)  # in a group, by the reader
    stocked.subscribe(chat_id=-100600, query="tariffs", user_id=OTHER)
    claims, revisions, articles = (_count(engine, t) for t in (Claim, ClaimRevision, Article))

    erased = stocked.forget(user_id=READER, chat_id=READER)

    assert erased == Erased(questions=1, posts=1, links=0, subscriptions=2)
    with Session(engine) as session:
        askers = set(session.exec(select(QuestionLog.asker)))
        chats = sorted(session.exec(select(Subscription.chat_id)))
    assert askers == {stocked.asker(OTHER)}
    assert chats == [-100600, OTHER]
    assert (_count(engine, Claim), _count(engine, ClaimRevision), _count(engine, Article)) == (
        claims, revisions, articles)
    stats = stocked.erasures()
    assert stats.requests == 1 and stats.forgotten == erased
    assert stocked.forget(user_id=READER, chat_id=READER) == Erased()  # nothing left, still counted
    assert stocked.erasures().requests == 2


def test_retention_deletes_old_questions_posts_and_links_only(stocked: ClaimService, engine: Engine) -> None:
    stocked.ask("who painted the mona lisa", user_id=READER, chat_id=READER)
    stocked.check_message(LONG_POST, kind=MessageKind.POST, user_id=READER, chat_id=READER)
    stocked.ask("what about greenland", user_id=OTHER, chat_id=OTHER)
    stocked.subscribe(chat_id=READER, query="tariffs", user_id=READER)
    long_ago = utcnow() - timedelta(days=31)
    with Session(engine) as session:
        session.add(ReportedLink(key="old.example/a", url="https://old.example/a", first_reported_at=long_ago,
                                 last_reported_at=long_ago))
        session.add(ReportedLink(key="new.example/b", url="https://new.example/b"))
        session.execute(sa.update(QuestionLog).where(QuestionLog.asker == stocked.asker(READER))
                        .values(asked_at=long_ago))
        session.commit()
    claims, revisions = _count(engine, Claim), _count(engine, ClaimRevision)

    erased = stocked.expire_old()

    assert erased == Erased(questions=1, posts=1, links=1)
    with Session(engine) as session:
        assert set(session.exec(select(QuestionLog.asker))) == {stocked.asker(OTHER)}
        assert list(session.exec(select(ReportedLink.key))) == ["new.example/b"]
    assert _count(engine, Subscription) == 1  # following something is not old data
    assert (_count(engine, Claim), _count(engine, ClaimRevision)) == (claims, revisions)
    assert stocked.erasures().expired == erased
    assert stocked.expire_old() == Erased()


def test_retention_is_off_by_default(engine: Engine, catalog: Catalog, tmp_path: Path) -> None:
    service = ClaimService(Settings(database_url=str(engine.url), index_dir=tmp_path / "i"), engine, catalog)
    service.ask("who painted the mona lisa", user_id=READER, chat_id=READER)
    with Session(engine) as session:
        session.execute(sa.update(QuestionLog).values(asked_at=utcnow() - timedelta(days=10_000)))
        session.commit()
    assert service.settings.retention_days is None
    assert service.expire_old() == Erased()
    assert _count(engine, QuestionLog) == 1
