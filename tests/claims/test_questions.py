"""Answering, logging and counting questions through the application service, on SQLite and
PostgreSQL; and the index following the revision log."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from claims.catalog import Catalog
from claims.ingest.sources import load_file
from claims.search.live import RevisionCursor
from claims.search.questions import log_question, question_stats
from claims.service import ClaimService
from claims.settings import Settings
from claims.store import db
from claims.store.history import Actor, retract_claim
from claims.store.models import utcnow

GOLD = Path(__file__).resolve().parent / "gold"
ADMIN = Actor(1, "Admin")


@pytest.fixture
def stocked(service: ClaimService) -> ClaimService:
    service.ingest(load_file(GOLD / "interview_frederiksen.txt", canonical_url="https://x.example/f"))
    return service


def test_answer_logs_and_pages(stocked: ClaimService) -> None:
    first = stocked.ask("greenland", user_id=5, chat_id=5, per_page=2)
    none = stocked.ask("moon landing", user_id=5)
    assert first.answered
    assert len(first.claims) == 2
    assert first.has_more
    assert first.question_id is not None
    assert not none.answered
    assert {t.name for t in none.known_topics} >= {"greenland", "nato"}
    page = stocked.answer_page(first.question_id, 1, per_page=2)
    assert stocked.answer_page(10**9, 1) is None
    assert page is not None
    assert page.claims
    assert not {v.id for v in page.claims} & {v.id for v in first.claims}
    with stocked.session() as session:
        stats = question_stats(session=session, since=utcnow() - timedelta(days=1))
    assert (stats.answered, stats.unanswered) == (1, 1)
    assert stats.recent_unanswered == ("moon landing",)


def test_log_question_cuts_long_text_and_stats_window(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        row = log_question(session=session, question="q" * 5000, asker=None, chat_id=None, matches=0,
                           top_claim_id=None)
        assert len(row.question) == 1000
        assert question_stats(session=session, since=utcnow() + timedelta(seconds=5)).unanswered == 0


def test_own_changes_reach_the_index_without_being_told(stocked: ClaimService) -> None:
    best = stocked.ask("greenland real estate deal", log_it=False).claims[0].id
    stocked.retract(best, reason="wrong", actor=ADMIN)
    assert best not in {v.id for v in stocked.ask("greenland real estate deal", log_it=False).claims}


def test_another_process_writes_are_caught_up_from_the_revision_log(
    stocked: ClaimService, engine: Engine, catalog: Catalog
) -> None:
    """A second service on the same store plays the CLI beside the bot: its ingest and its
    retraction reach the first one's index through ``catch_up`` alone."""
    stocked.load_index()
    other = ClaimService(Settings(database_url=str(engine.url)), engine, catalog)
    question = "von der Leyen: tariffs are taxes"
    assert not stocked.ask(question, log_it=False).answered
    greenland = stocked.ask("greenland real estate deal", log_it=False).claims[0].id
    other.ingest(load_file(GOLD / "wire_tariffs.txt", canonical_url="https://x.example/w"))
    other.retract(greenland, reason="wrong", actor=ADMIN)
    assert not stocked.ask(question, log_it=False).answered  # not yet: nothing told this process
    assert stocked.catch_up() >= 2
    assert stocked.catch_up() == 0  # nothing new: nothing re-read
    assert stocked.ask(question, log_it=False).answered
    assert greenland not in {v.id for v in stocked.ask("greenland real estate deal", log_it=False).claims}


def test_question_is_answered_when_the_log_cannot_be_written(sqlite_engine: Engine, catalog: Catalog) -> None:
    """While another connection holds SQLite's write lock, the answer still comes, unlogged."""
    engine = sqlite_engine
    stocked = ClaimService(Settings(database_url=str(engine.url)), engine, catalog)
    stocked.ingest(load_file(GOLD / "interview_frederiksen.txt", canonical_url="https://x.example/f"))
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        with engine.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            locked.set()
            release.wait(10)
            conn.exec_driver_sql("ROLLBACK")

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(5)
        answer = stocked.ask("greenland", user_id=1, chat_id=1)
    finally:
        release.set()
        holder.join()
    assert answer.answered
    assert answer.question_id is None


def test_cursor_waits_for_holes_then_gives_up() -> None:
    cursor = RevisionCursor(top=10, gap_timeout=60)
    cursor.advance([11, 13], now=0)  # 12 is not committed yet
    assert cursor.top == 13 and cursor.holes == {12: 0}
    cursor.advance([12], now=5)  # it shows up
    assert cursor.top == 13 and not cursor.holes
    cursor.advance([15], now=10)
    assert cursor.holes == {14: 10}
    cursor.advance([], now=69)
    assert cursor.holes == {14: 10}
    cursor.advance([], now=71)  # 14 never came: a rolled-back transaction
    assert cursor.top == 15 and not cursor.holes


@pytest.mark.postgres
def test_a_late_commit_below_the_top_is_not_missed(postgres_engine: Engine, catalog: Catalog) -> None:
    """On PostgreSQL a revision id is taken at insert and seen at commit: a transaction that
    started first can commit last. The index must still apply its change when it lands."""
    service = ClaimService(Settings(database_url=str(postgres_engine.url)), postgres_engine, catalog)
    service.ingest(load_file(GOLD / "interview_frederiksen.txt", canonical_url="https://x.example/f"))
    service.load_index()
    first, second = (v.id for v in service.ask("greenland", log_it=False, per_page=2).claims)
    with Session(postgres_engine) as slow:  # takes the lower revision id, commits last
        retract_claim(session=slow, claim_id=first, reason="late", actor=ADMIN)
        slow.flush()
        service.retract(second, reason="quick", actor=ADMIN)  # higher id, committed and caught up
        assert service.index.cursor.holes  # the lower id is missing: a hole, not a loss
        live = {m.claim_id for m in service.index.ask("greenland", limit=50)}
        assert second not in live and first in live
        slow.commit()
    service.catch_up()
    assert first not in {m.claim_id for m in service.index.ask("greenland", limit=50)}
    assert not service.index.cursor.holes


def test_a_speaker_renamed_elsewhere_is_relabelled_here(stocked: ClaimService, engine: Engine,
                                                        catalog: Catalog, tmp_path: Path) -> None:
    """Renaming a speaker writes a revision on each of their claims, so another process's index
    (which follows the revision log) answers to the new name too, and the history says why."""
    stocked.load_index()
    settings = Settings(database_url=str(engine.url), index_dir=tmp_path / "other")
    other = ClaimService(settings, engine, catalog)
    before = stocked.ask("what did Mette Frederiksen say about Greenland", log_it=False)
    assert before.answered and before.claims[0].speaker == "Mette Frederiksen"
    done = other.speaker_command("rename", "Mette Frederiksen to Mette F. Frederiksen",
                                           actor=ADMIN)
    assert done.claims >= 1
    assert stocked.catch_up() >= done.claims
    after = stocked.ask("what did Mette F. Frederiksen say about Greenland", log_it=False)
    assert after.answered and after.claims[0].speaker == "Mette F. Frederiksen"
    _, revisions = stocked.history(after.claims[0].id)
    assert revisions[-1].change == "relabelled" and "Mette F. Frederiksen" in (revisions[-1].reason or "")
