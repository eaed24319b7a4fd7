"""Long writes commit in short batches (so SQLite's one write lock is never held for long), and a
batched ingest cut short is finished by the next ingest of the same article, never lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from claims.catalog import Catalog
from claims.ingest import pipeline
from claims.ingest.pipeline import ArticleStatus, ingest_article
from claims.ingest.sources import load_file
from claims.store.models import Article, Claim

GOLD = Path(__file__).resolve().parents[1] / "gold"


def _article():  # type: ignore[no-untyped-def]
    return load_file(GOLD / "clintons_health.txt", canonical_url="https://x.example/clintons")


def _commits(session: Session) -> list[int]:
    seen: list[int] = []
    original = session.commit

    def counting() -> None:
        seen.append(1)
        original()

    session.commit = counting  # type: ignore[method-assign]
    return seen


def test_a_batched_ingest_commits_as_it_goes(engine: Engine, catalog: Catalog) -> None:
    with Session(engine, expire_on_commit=False) as session:
        commits = _commits(session)
        report = ingest_article(_article(), session=session, catalog=catalog, commit_every=0)
        session.commit()
    assert len(report.added) >= 10
    assert len(commits) >= len(report.added)  # a commit after every claim with commit_every=0


def test_an_ingest_cut_short_is_finished_by_the_next_one(engine: Engine, catalog: Catalog,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    real_create = pipeline._create
    created: list[int] = []

    def failing_create(*args, **kwargs):  # type: ignore[no-untyped-def]
        if len(created) == 5:
            raise RuntimeError("the process died here")
        created.append(1)
        real_create(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_create", failing_create)
    with Session(engine, expire_on_commit=False) as session, pytest.raises(RuntimeError):
        ingest_article(_article(), session=session, catalog=catalog, commit_every=0)
    with Session(engine) as session:
        partial = session.exec(select(Claim)).all()
        stored = session.exec(select(Article)).one()
    assert len(partial) == 5  # committed batches survive the crash
    assert stored.content_hash == pipeline.PENDING_HASH  # but the article is not taken as done

    monkeypatch.setattr(pipeline, "_create", real_create)
    with Session(engine, expire_on_commit=False) as session:
        again = ingest_article(_article(), session=session, catalog=catalog, commit_every=0)
        session.commit()
    assert again.status is ArticleStatus.UPDATED
    assert len(again.unchanged) == 5 and len(again.added) >= 5  # the rest, each claim once
    with Session(engine, expire_on_commit=False) as session:
        assert ingest_article(_article(), session=session, catalog=catalog).status is ArticleStatus.UNCHANGED
        total = len(session.exec(select(Claim)).all())
    assert total == len(again.unchanged) + len(again.added)
