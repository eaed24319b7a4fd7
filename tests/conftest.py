"""Shared fixtures: a fresh claim store per test, on SQLite and (where marked) PostgreSQL.

PostgreSQL tests need a server at ``CLAIMBOT_TEST_POSTGRES_URL`` (default: the local ``test``
database). Without one they are skipped with the reason shown, except in CI (``CI=true``) or with
``CLAIMBOT_REQUIRE_POSTGRES=1``, where an unreachable server fails the run instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from claims.catalog import Catalog, load_catalog
from claims.settings import DEFAULT_CONFIG_DIR
from claims.store import db

POSTGRES_URL = os.environ.get(
    "CLAIMBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = (
    os.environ.get("CI", "").lower() == "true" or os.environ.get("CLAIMBOT_REQUIRE_POSTGRES") == "1"
)
SEED_ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_2375868e100a7ba0.txt"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(DEFAULT_CONFIG_DIR)


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    """A private schema in the PostgreSQL test database for this test run, dropped afterwards."""
    engine = sa.create_engine(POSTGRES_URL)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
    except sa.exc.OperationalError as exc:
        engine.dispose()
        reason = f"PostgreSQL not reachable at {POSTGRES_URL.split('@')[-1]}: {exc.orig}"
        if REQUIRE_POSTGRES:
            pytest.fail(f"{reason} (required in CI)")
        pytest.skip(reason)
    schema = f"claimbot_test_{uuid.uuid4().hex[:10]}"
    with engine.begin() as conn:
        conn.execute(sa.text(f'create schema "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'drop schema "{schema}" cascade'))
        engine.dispose()


def _fresh_postgres(url: str) -> Engine:
    engine = db.make_engine(url)
    with engine.begin() as conn:
        schema = conn.execute(sa.text("select current_schema()")).scalar_one()
        conn.execute(sa.text(f'drop schema "{schema}" cascade'))
        conn.execute(sa.text(f'create schema "{schema}"'))
    return engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty store: SQLite file per test, or a wiped PostgreSQL schema."""
    if request.param == "postgres":
        eng = _fresh_postgres(request.getfixturevalue("postgres_schema_url"))
    else:
        eng = db.make_engine(f"sqlite:///{tmp_path / 'claims.store.db'}")
    db.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A store for tests that are about logic, not storage: SQLite only."""
    eng = db.make_engine(f"sqlite:///{tmp_path / 'claims.store.db'}")
    db.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s
