"""Answering, logging and counting questions (``claims.search.questions``), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from claims.catalog import Catalog
from claims.ingest.pipeline import ingest_article
from claims.ingest.sources import load_file
from claims.search.match import Matcher
from claims.search.questions import (
    answer_page,
    answer_question,
    log_question,
    question_stats,
    refresh_matcher,
)
from claims.store import db
from claims.store.history import Actor, retract_claim
from claims.store.models import utcnow
from claims.store.views import claim_docs

GOLD = Path(__file__).resolve().parent / "gold"


@pytest.fixture
def store(engine: Engine, catalog: Catalog) -> tuple[Engine, Matcher]:
    with db.session_scope(engine) as session:
        ingest_article(load_file(GOLD / "interview_frederiksen.txt", canonical_url="https://x.example/f"),
                       session=session, catalog=catalog)
    with db.session_scope(engine) as session:
        matcher = Matcher.build(claim_docs(session=session), catalog=catalog)
    return engine, matcher


def test_answer_logs_and_pages(store: tuple[Engine, Matcher]) -> None:
    engine, matcher = store
    with db.session_scope(engine) as session:
        first = answer_question(session=session, matcher=matcher, question="greenland", user_id=5, chat_id=5,
                                per_page=2)
        none = answer_question(session=session, matcher=matcher, question="moon landing", user_id=5)
    assert first.answered
    assert len(first.claims) == 2
    assert first.has_more
    assert not none.answered
    assert {t.name for t in none.known_topics} >= {"greenland", "nato"}
    with db.session_scope(engine) as session:
        page = answer_page(session=session, matcher=matcher, question_id=first.question_id, page=1,
                           per_page=2)
        assert answer_page(session=session, matcher=matcher, question_id=10**9, page=1) is None
        stats = question_stats(session=session, since=utcnow() - timedelta(days=1))
    assert page is not None
    assert page.claims
    assert not {v.id for v in page.claims} & {v.id for v in first.claims}
    assert (stats.answered, stats.unanswered) == (1, 1)
    assert stats.recent_unanswered == ("moon landing",)


def test_log_question_cuts_long_text_and_stats_window(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        row = log_question(session=session, question="q" * 5000, user_id=None, chat_id=None, matches=0,
                           top_claim_id=None)
        assert len(row.question) == 1000
        assert question_stats(session=session, since=utcnow() + timedelta(seconds=5)).unanswered == 0


def test_refresh_matcher_follows_retractions(store: tuple[Engine, Matcher]) -> None:
    engine, matcher = store
    best = matcher.ask("greenland real estate deal")[0].claim_id
    with db.session_scope(engine) as session:
        retract_claim(session=session, claim_id=best, actor=Actor(1, "Admin"))
    with db.session_scope(engine) as session:
        refresh_matcher(session=session, matcher=matcher, claim_ids=[best])
    assert best not in {m.claim_id for m in matcher.ask("greenland real estate deal")}
