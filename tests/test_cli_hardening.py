"""The ``claimbot`` command under hostile input: one sentence on stderr, exit 1, nothing stored."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa

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
    assert proc.stderr.startswith("error: Nothing was imported; 1 bad line:\nline 2: ")
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


class _Site(BaseHTTPRequestHandler):
    base = ""

    def do_GET(self) -> None:
        if self.path == "/feed.xml":
            body = ("<?xml version='1.0'?><rss version='2.0'><channel><title>F</title>"
                    f"<item><title>Own</title><link>{self.base}/article</link></item>"
                    f"<item><title>Elsewhere</title><link>{self.base.replace('127.0.0.1', 'localhost')}"
                    "/article</link></item></channel></rss>").encode()
            ctype = "application/rss+xml"
        else:
            body = f"<html><body><article><p>{ARTICLE}</p></article></body></html>".encode()
            ctype = "text/html"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    _Site.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield _Site.base
    server.shutdown()
    server.server_close()


def test_feed_entries_from_the_cli_follow_the_private_address_setting(cli_env, tmp_path, site, run) -> None:
    proc = run(cli_env, "ingest", f"{site}/feed.xml", "--json", cwd=tmp_path)
    assert proc.returncode == 1  # one entry refused
    reports = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(reports) == 1 and reports[0]["url"] == f"{site}/article"  # the operator's own host
    assert "localhost" in proc.stderr and "CLAIMBOT_ALLOW_PRIVATE_URLS=true" in proc.stderr
    cli_env["CLAIMBOT_ALLOW_PRIVATE_URLS"] = "true"
    assert run(cli_env, "ingest", f"{site}/feed.xml", cwd=tmp_path).returncode == 0


def test_ask_with_a_corrupt_index_snapshot_still_answers(cli_env, tmp_path, run) -> None:
    """A flipped bit in the snapshot's header length once made every ``claimbot ask`` end in
    MemoryError, start after start: now the file is set aside once and the index rebuilt."""
    (tmp_path / "a.txt").write_text(ARTICLE)
    assert run(cli_env, "ingest", str(tmp_path / "a.txt"), cwd=tmp_path).returncode == 0
    first = run(cli_env, "ask", "cease-fire discussions", cwd=tmp_path)
    assert first.returncode == 0 and "cease-fire" in first.stdout, first.stderr
    [snapshot] = [p for p in tmp_path.glob("cli*.index.*") if not p.name.startswith(".")]
    data = bytearray(snapshot.read_bytes())
    data[19] ^= 0x40  # the high bits of the header length: 2**62 bytes asked for
    snapshot.write_bytes(bytes(data))
    for _ in range(2):
        proc = run(cli_env, "ask", "cease-fire discussions", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == first.stdout
    assert snapshot.with_name(snapshot.name + ".bad").read_bytes() == bytes(data)


@pytest.mark.parametrize(("args", "said"), [
    (["history", "abc"], "'abc' is not a claim number"),
    (["history", "٣"], "'٣' is not a claim number"),  # int() would read it as claim 3
    (["retract", "²", "--reason", "x"], "'²' is not a claim number"),
    (["claims", "--limit", "²"], "'²' is not a whole number"),
    (["claims", "--limit", "abc"], "'abc' is not a whole number"),
    (["ask", "tariffs", "--limit", "１"], "'１' is not a whole number"),
])
def test_numbers_on_the_command_line_are_ascii_digits_with_a_sentence(cli_env, tmp_path, run, args,
                                                                      said) -> None:
    proc = run(cli_env, *args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert said in last and "invalid int value" not in proc.stderr
    assert last.endswith(("for example 12", "digits 0-9")), last


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.mark.parametrize(("umask", "file_mode", "dir_mode"), [(None, 0o600, 0o700), ("027", 0o640, 0o750)])
def test_files_claimbot_creates_are_private_unless_the_settings_say_otherwise(
    cli_env, tmp_path, run, umask, file_mode, dir_mode
) -> None:
    """The database holds readers' questions and posts: it, the index snapshot, its folder and
    exports are the operator's alone (0600 / 0700) unless ``CLAIMBOT_UMASK`` widens them."""
    cli_env["CLAIMBOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'data' / 'cli.db'}"
    cli_env["CLAIMBOT_INDEX_DIR"] = str(tmp_path / "cache" / "index")
    if umask is not None:
        cli_env["CLAIMBOT_UMASK"] = umask
    (tmp_path / "data").mkdir()
    (tmp_path / "a.txt").write_text(ARTICLE)
    assert run(cli_env, "ingest", str(tmp_path / "a.txt"), cwd=tmp_path).returncode == 0
    assert run(cli_env, "ask", "cease-fire", cwd=tmp_path).returncode == 0
    assert run(cli_env, "export", "--output", str(tmp_path / "out.jsonl"), cwd=tmp_path).returncode == 0
    [snapshot] = (tmp_path / "cache" / "index").glob("*.index.*")
    created = [tmp_path / "data" / "cli.db", snapshot, tmp_path / "out.jsonl"]
    assert {p.name: oct(_mode(p)) for p in created} == {p.name: oct(file_mode) for p in created}
    for folder in (tmp_path / "cache", tmp_path / "cache" / "index"):
        assert _mode(folder) == dir_mode, folder


def test_a_umask_setting_that_is_not_octal_is_refused(cli_env, tmp_path, run) -> None:
    cli_env["CLAIMBOT_UMASK"] = "999"
    assert "CLAIMBOT_UMASK" in one_sentence(run(cli_env, "claims", cwd=tmp_path))


@pytest.mark.parametrize("question", ["", "   ", "\t\n"])
def test_ask_an_empty_question_says_so(cli_env, tmp_path, run, question) -> None:
    error = one_sentence(run(cli_env, "ask", question, cwd=tmp_path))
    assert error.startswith("error: The question is empty;"), error


def test_import_counts_bad_lines_in_words(cli_env, tmp_path, run) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("".join("{not json\n" for _ in range(16)))
    proc = run(cli_env, "import", str(path), cwd=tmp_path)
    assert proc.stderr.startswith("error: Nothing was imported; 16 bad lines:\n"), proc.stderr


@pytest.mark.parametrize(("first", "title"), [
    ("The minister said on Monday that taxes would rise. “We have no choice,” she said.", None),
    ("Taxes will rise next year, the finance minister told parliament on Monday.", None),
    ("Minister Says Taxes Will Rise Next Year", "Minister Says Taxes Will Rise Next Year"),
    ("Taxes to rise as budget gap widens", "Taxes to rise as budget gap widens"),
    ("Trump says Greenland is “not for sale”", "Trump says Greenland is “not for sale”"),
    ("Minister Says Taxes Will Rise.", "Minister Says Taxes Will Rise."),
])
def test_a_plain_text_article_is_titled_by_a_headline_never_its_first_sentence(cli_env, tmp_path, run,
                                                                              first, title) -> None:
    (tmp_path / "a.txt").write_text(first + "\n" + ARTICLE.split("\n", 1)[1])
    proc = run(cli_env, "ingest", str(tmp_path / "a.txt"), "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["title"] == title
