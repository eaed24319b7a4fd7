"""The ``claimbot`` command under hostile input: one sentence on stderr, exit 1, nothing stored."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from pytest_httpserver import HTTPServer

from bot import cli
from claims.store import db
from tests.cli_processes import ForkedCli, clean_env

ARTICLE = (
    "Talks on a truce continue\n"
    "Officials met in Moscow on Thursday as negotiations on a cease-fire continued.\n"
    "“We have very serious discussions going on right now about the cease-fire,” "
    "Mr. Trump said on Thursday.\n"
)


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = clean_env()
    env["CLAIMBOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    return env


@pytest.fixture
def run(forked_cli: ForkedCli) -> Callable[..., subprocess.CompletedProcess]:
    """``python -m bot.cli ARGS`` in a real process (forked from one that imported the CLI)."""
    def run(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess:
        return forked_cli.run(list(args), env=env, cwd=cwd, timeout=120)

    return run


def one_sentence(proc: subprocess.CompletedProcess) -> str:
    """The failure as the user sees it: exit 1, one line on stderr, no traceback."""
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


def claim_count(tmp_path: Path) -> int:
    """Claims stored so far (a refused first command may not have created the database at all)."""
    if not (tmp_path / "cli.db").exists():
        return 0
    with sqlite3.connect(tmp_path / "cli.db") as conn:
        return int(conn.execute("select count(*) from claim").fetchone()[0])


@pytest.mark.parametrize(("line", "message"), [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"text": "A claim", "external_id": ' + "9" * 5000 + "}", "number too long"),
    ('{"text": "A claim", "published_at": "0001-01-01T00:00:00+05:00"}', "outside the dates"),
])
def test_hostile_import_files(cli_env, tmp_path, line, message, run) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"text": "A good claim on its own line"}) + "\n" + line + "\n")
    proc = run(cli_env, "import", str(path), cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    # the import's own report: one sentence, then the bad lines it names
    assert proc.stderr.startswith("error: Nothing was imported; 1 bad line(s):\nline 2: ")
    assert message in proc.stderr
    assert claim_count(tmp_path) == 0


def test_a_published_date_out_of_range(cli_env, tmp_path, run) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    error = one_sentence(run(cli_env, "ingest", str(tmp_path / "a.txt"), "--published",
                             "0001-01-01T00:00:00+05:00", cwd=tmp_path))
    assert "outside the dates" in error


def test_history_of_an_id_beyond_the_integer_range(cli_env, tmp_path, run) -> None:
    assert one_sentence(run(cli_env, "history", "2147483648", cwd=tmp_path)) == \
        "error: There is no claim #2147483648."


@pytest.fixture
def fresh_postgres_url(postgres_engine: sa.Engine, postgres_migrated: str) -> str:
    """The shared PostgreSQL test schema, emptied and at the current schema revision (another test
    marks it outdated on purpose)."""
    with postgres_engine.begin() as conn:
        conn.execute(sa.text("update alembic_version set version_num = :head"), {"head": db.head_revision()})
    return postgres_migrated


@pytest.mark.postgres
def test_history_of_an_id_beyond_the_integer_range_on_postgres(cli_env, tmp_path,
                                                                fresh_postgres_url, run) -> None:
    cli_env["CLAIMBOT_DATABASE_URL"] = fresh_postgres_url
    assert one_sentence(run(cli_env, "history", "2147483648", cwd=tmp_path)) == \
        "error: There is no claim #2147483648."


@pytest.mark.postgres
def test_a_postgres_url_as_heroku_writes_it(cli_env, tmp_path, fresh_postgres_url, run) -> None:
    cli_env["CLAIMBOT_DATABASE_URL"] = fresh_postgres_url.replace("postgresql+psycopg://", "postgres://")
    proc = run(cli_env, "db", "current", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "head:" in proc.stdout


@pytest.mark.parametrize("url", ["mysql://u@h/db", "this is not a url", "postgresql://u@h:port/db"])
def test_a_malformed_database_url(cli_env, tmp_path, url, run) -> None:
    cli_env["CLAIMBOT_DATABASE_URL"] = url
    error = one_sentence(run(cli_env, "claims", cwd=tmp_path))
    assert "CLAIMBOT_DATABASE_URL" in error


def test_a_locked_database(cli_env, tmp_path, run) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    assert run(cli_env, "db", "upgrade", cwd=tmp_path).returncode == 0
    cli_env["CLAIMBOT_DATABASE_BUSY_SECONDS"] = "0.3"
    holder = sqlite3.connect(tmp_path / "cli.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        error = one_sentence(run(cli_env, "ingest", str(tmp_path / "a.txt"), cwd=tmp_path))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "locked" in error
    assert claim_count(tmp_path) == 0


def test_an_unexpected_failure_is_one_line_with_a_pointer_to_verbose(monkeypatch, capsys, tmp_path) -> None:
    monkeypatch.setenv("CLAIMBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")

    def broken(args, settings) -> int:
        raise RuntimeError("internal detail with a secret")

    monkeypatch.setattr(cli, "cmd_claims", broken)
    assert cli.main(["claims"]) == 1
    err = capsys.readouterr().err
    assert err == "error: unexpected RuntimeError; run with -v for details.\n"


@pytest.fixture
def site(httpserver: HTTPServer) -> str:
    base = httpserver.url_for("").rstrip("/")
    rss = ("<?xml version='1.0'?><rss version='2.0'><channel><title>F</title>"
           f"<item><title>Own</title><link>{base}/article</link></item>"
           f"<item><title>Elsewhere</title><link>{base.replace('127.0.0.1', 'localhost')}"
           "/article</link></item></channel></rss>")
    httpserver.expect_request("/feed.xml").respond_with_data(rss, content_type="application/rss+xml")
    page = f"<html><body><article><p>{ARTICLE}</p></article></body></html>"
    httpserver.expect_request("/article").respond_with_data(page, content_type="text/html")
    return base


def test_feed_entries_from_the_cli_follow_the_private_address_setting(cli_env, tmp_path, site, run) -> None:
    proc = run(cli_env, "ingest", f"{site}/feed.xml", "--json", cwd=tmp_path)
    assert proc.returncode == 1  # one entry refused
    reports = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(reports) == 1 and reports[0]["url"] == f"{site}/article"  # the operator's own host
    assert "localhost" in proc.stderr and "CLAIMBOT_ALLOW_PRIVATE_URLS=true" in proc.stderr
    cli_env["CLAIMBOT_ALLOW_PRIVATE_URLS"] = "true"
    assert run(cli_env, "ingest", f"{site}/feed.xml", cwd=tmp_path).returncode == 0
