"""The ``claimbot`` command as a user runs it: a real process per command on a real SQLite file.

Most commands run in processes forked from one that has imported the CLI already
(tests/cli_processes.py); the tests about the interpreter's own start and end (a closed pipe, a
terminal) start ``python -m bot.cli`` from scratch."""

from __future__ import annotations

import getpass
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from claims.samples import sample, samples
from tests.cli_processes import ForkedCli, clean_env
from tests.conftest import SEED_ARTICLE

SEED_URL = sample(SEED_ARTICLE.name).url


@pytest.fixture
def cli(tmp_path: Path, forked_cli: ForkedCli):
    base = clean_env()
    base["CLAIMBOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"

    def run(*args: str, ok: bool = True, stdin: str | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        proc = forked_cli.run(list(args), env={**base, **(env or {})}, cwd=tmp_path, input=stdin,
                              timeout=120)
        if ok:
            assert proc.returncode == 0, proc.stderr
        return proc

    return run


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.mark.slow
def test_ingest_list_history_and_reingest(cli) -> None:
    out = cli("ingest", str(SEED_ARTICLE), "--url", SEED_URL, "--published", "2025-03-13", "--json")
    report = jsonl(out.stdout)[0]
    assert report["status"] == "new" and report["added"]
    claims = jsonl(cli("claims", "--json").stdout)
    assert len(claims) == len(report["added"])
    first = claims[0]
    assert set(first) >= {"id", "speaker", "topic", "text", "quote", "kind", "verdict",
                          "revision", "sources"}
    assert first["sources"][0]["url"] == SEED_URL
    assert first["sources"][0]["published_at"].startswith("2025-03-13")
    speakers = {c["speaker"] for c in claims}
    assert "Donald Trump" in speakers
    history = jsonl(cli("history", str(first["id"]), "--json").stdout)
    assert history[0]["revision"] == 1 and history[0]["change"] == "created"
    assert set(history[0]) >= {"revision", "change", "text", "verdict", "at", "source"}
    again = jsonl(cli("ingest", str(SEED_ARTICLE), "--url", SEED_URL, "--json").stdout)[0]
    assert again["status"] == "unchanged" and again["added"] == []
    trump = jsonl(cli("claims", "--speaker", "Mr. Trump", "--json").stdout)
    assert trump and all(c["speaker"] == "Donald Trump" for c in trump)


def test_errors_go_to_stderr_with_status_1(cli, tmp_path: Path) -> None:
    missing = cli("ingest", str(tmp_path / "nope.txt"), ok=False)
    assert missing.returncode == 1 and "does not exist" in missing.stderr and missing.stdout == ""
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert "is empty" in cli("ingest", str(empty), ok=False).stderr
    unknown = cli("history", "12345", ok=False)
    assert unknown.returncode == 1 and "no claim #12345" in unknown.stderr
    usage = cli("history", "abc", ok=False)
    assert usage.returncode == 2
    assert "no topic" in cli("claims", "--topic", "cooking", ok=False).stderr


def test_one_bad_input_does_not_stop_the_others(cli, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(
        "A headline\n“We have very serious discussions going on right now about a truce,” "
        "Mr. Trump said on Thursday in the Oval Office.\n", encoding="utf-8")
    proc = cli("ingest", str(tmp_path / "missing.txt"), str(good), "--json", ok=False)
    assert proc.returncode == 1 and "missing.txt does not exist" in proc.stderr
    assert jsonl(proc.stdout)[0]["status"] == "new"


def test_import_export_round_trip_and_claimreview(cli, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"text": "We have to do it.", "speaker": "Trump", "external_id": "x-1",
                    "verdict": "disputed", "source_url": "https://ex.org/g"}) + "\n"
        + json.dumps({"text": "Very predictable.", "speaker": "Zelenskyy"}) + "\n",
        encoding="utf-8",
    )
    counts = json.loads(cli("import", str(src), "--json").stdout)
    assert counts == {"added": 2, "updated": 0, "unchanged": 0}
    exported = jsonl(cli("export").stdout)
    assert {c["external_id"] for c in exported} == {"x-1", None}
    out = tmp_path / "out.jsonl"
    cli("export", "--output", str(out))
    again = json.loads(cli("import", str(out), "--json").stdout)
    assert again == {"added": 0, "updated": 0, "unchanged": 2}
    page = {"CLAIMBOT_CLAIM_URL_TEMPLATE": "https://factcheck.example.org/claims/{id}"}
    reviews = json.loads(cli("export", "--format", "claimreview", env=page).stdout)
    assert [r["claimReviewed"] for r in reviews] == ["We have to do it."]


def test_bad_import_file_imports_nothing(cli, tmp_path: Path) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text('{"text": "fine"}\n{"text": ""}\n', encoding="utf-8")
    proc = cli("import", str(src), ok=False)
    assert proc.returncode == 1 and "line 2" in proc.stderr
    assert cli("claims", "--json").stdout == ""


def test_outdated_schema_is_refused(cli, tmp_path: Path) -> None:
    cli("db", "upgrade")
    import sqlite3

    with sqlite3.connect(tmp_path / "cli.db") as conn:
        conn.execute("update alembic_version set version_num='0000'")
    proc = cli("claims", ok=False)
    assert proc.returncode == 1 and "claimbot db upgrade" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_feed_file_entries_are_ingested(cli, tmp_path: Path) -> None:
    body = ("&lt;p&gt;“We have very serious discussions going on right now about a truce,” "
            "Mr. Trump said on Thursday in the Oval Office, as officials met in Moscow.&lt;/p&gt;")
    feed = tmp_path / "feed.xml"
    feed.write_text(
        "<?xml version='1.0'?><rss version='2.0'><channel><title>F</title><link>http://x/</link>"
        "<description>d</description>"
        f"<item><title>Talks</title><description>{body}</description></item>"
        "<item><title>Empty</title></item></channel></rss>", encoding="utf-8")
    proc = cli("ingest", str(feed), "--json", ok=False)
    assert proc.returncode == 1 and "has no link or content" in proc.stderr
    [report] = jsonl(proc.stdout)
    assert report["status"] == "new" and report["title"] == "Talks"


@pytest.mark.slow
def test_ask_single_and_batch(cli, tmp_path: Path) -> None:
    for item in samples():
        cli("ingest", str(item.path), "--url", item.url, "--published", item.published_at.isoformat())
    [answer] = jsonl(cli("ask", "what did trump say about grenland?", "--json").stdout)
    assert answer["question"] == "what did trump say about grenland?"
    top = answer["matches"][0]
    assert top["claim"]["speaker"] == "Donald Trump" and top["claim"]["topic"] == "greenland"
    assert 0 < top["score"] <= 1 and top["why"]
    assert len(answer["matches"]) <= 3
    questions = tmp_path / "q.txt"
    questions.write_text("What did Zelensky say about the truce?\nbest lasagna recipe\n\n"
                         + "🙂" * 50 + "\n" + "x" * 10_000 + "\n", encoding="utf-8")
    out = jsonl(cli("ask", "--batch", str(questions), "--limit", "1").stdout)
    assert [o["question"][:10] for o in out] == [
        "What did Z", "best lasag", "", "🙂" * 10, "x" * 10]
    assert out[0]["matches"][0]["claim"]["speaker"] == "Volodymyr Zelensky"
    assert all(o["matches"] == [] for o in out[1:])
    assert all(o["related"] == [] for o in out)  # closest-in-meaning offers need the semantic extra
    plain = cli("ask", "chocolate cake recipe").stdout
    assert plain.strip() == "No claim matches that question."
    assert cli("ask", ok=False).returncode == 1


def test_claims_filters_forgive_names_and_json_shows_context(cli, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"text": "Fares will not rise.", "speaker": "Kathy Hochul", "topic": "economy",
                    "context": "Asked about the subway, the governor was firm."}) + "\n"
        + json.dumps({"text": "The budget is balanced.", "speaker": "Hochul"}) + "\n",
        encoding="utf-8",
    )
    cli("import", str(src))
    listed = jsonl(cli("claims", "--speaker", "hochul", "--json").stdout)
    assert {c["speaker"] for c in listed} == {"Kathy Hochul"} and len(listed) == 2
    fares = next(c for c in listed if c["text"] == "Fares will not rise.")
    assert fares["context"] == "Asked about the subway, the governor was firm."
    assert fares["topics"] == ["economy"]
    assert len(jsonl(cli("claims", "--topic", "econ", "--json").stdout)) == 1
    unknown = cli("claims", "--topic", "quantum physics", ok=False)
    assert unknown.returncode == 1 and "no topic called 'quantum physics'" in unknown.stderr


def test_chat_answers_the_readme_question_from_the_shipped_samples(cli) -> None:
    out = cli("chat", stdin="what did Trump say about Greenland?\n:quit\n").stdout
    assert "Seeded an empty database with 3 sample articles" in out
    answer = out.split("bot> ", 1)[1]
    assert answer.startswith("Here is what I found")
    first_card = [line.strip() for line in answer.splitlines()][2:4]
    assert first_card[0].startswith("Donald Trump ·") and "Greenland" in first_card[1]


@pytest.mark.slow
def test_chat_piped_into_a_closed_reader_ends_quietly(tmp_path: Path) -> None:
    env = clean_env()
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "chat"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=env)
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdin.write(("/claims\n" * 80).encode())  # far more than a pipe holds
    proc.stdin.close()
    assert proc.stdout.readline().startswith(b"Seeded")
    proc.stdout.close()  # `| head -1`
    assert proc.wait(timeout=120) == 0
    errors = proc.stderr.read().decode()
    proc.stderr.close()
    assert "Traceback" not in errors and "BrokenPipe" not in errors


@pytest.mark.slow
def test_progress_bar_has_real_totals_and_results_come_after_it(tmp_path: Path) -> None:
    import fcntl
    import pty
    import struct
    import termios

    env = clean_env()
    env["CLAIMBOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    master, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    paths = [str(item.path) for item in samples()]
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "ingest", *paths], stdin=subprocess.DEVNULL,
                            stdout=terminal, stderr=terminal, cwd=tmp_path, env=env)
    os.close(terminal)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    assert proc.wait(timeout=120) == 0
    text = seen.decode()
    total = len(paths)
    assert "ingesting" in text and f"{total}/{total} [" in text  # real totals, counted to the end
    assert "?item/s" not in text and "0item" not in text
    last_bar = text.rindex(f"/{total} [")
    results = [text.index(f"{item.article().title} (new): ") for item in samples()]
    assert min(results) > last_bar  # every result is printed after the bar is gone
    assert not re.search(r"\b1 new claims", text)


def test_claims_limit_is_validated_and_help_reads_cleanly(cli) -> None:
    for bad in ("0", "-1", "ten"):
        proc = cli("claims", "--limit", bad, ok=False)
        assert proc.returncode == 2 and "--limit" in proc.stderr and proc.stdout == ""
    assert "must be at least 1 (got 0)" in cli("claims", "--limit", "0", ok=False).stderr
    assert "must be at least 1" in cli("ask", "x", "--limit", "0", ok=False).stderr
    helped = cli("--help").stdout
    assert "``" not in helped and "claimbot: track who claimed what" in helped
    for command in ("verdict", "edit", "retract", "merge"):
        assert command in helped


def test_desk_changes_from_the_terminal_with_status_actor_and_time_zone(cli, tmp_path: Path) -> None:
    item = sample("greenland_remarks.txt")
    cli("ingest", str(item.path), "--url", item.url)
    first, second, third = (c["id"] for c in jsonl(cli("claims", "--json", "--limit", "3").stdout))
    judged = json.loads(cli("verdict", str(first), "false", "Not", "what", "he", "said", "--by", "Jane Desk",
                            "--json").stdout)
    assert judged["verdict"] == "false" and judged["revision"] == 2
    assert "Edited. Claim" in cli("edit", str(first), "A corrected wording.").stdout
    assert "Retracted." in cli("retract", str(second), "Misattributed").stdout
    assert f"Merged #{third} into #{first}." in cli("merge", str(third), str(first)).stdout
    assert cli("verdict", str(first), "maybe", ok=False).returncode == 2  # a usage error
    listed = cli("claims", "--all").stdout
    assert f"#{second} " in listed and "[retracted]" in listed
    assert f"[merged into #{first}]" in listed
    assert "[retracted]" not in cli("claims").stdout  # without --all only live claims, unmarked
    history = jsonl(cli("history", str(first), "--json").stdout)
    assert [h["change"] for h in history] == ["created", "verdict", "edited", "merged"]
    assert history[1]["admin"] == "Jane Desk"  # --by
    assert history[2]["admin"] == getpass.getuser()  # without --by: who runs the command
    merged = cli("history", str(third), env={"CLAIMBOT_TIMEZONE": "Asia/Tokyo"}).stdout
    assert "times in Asia/Tokyo" in merged and " JST " in merged
    assert f"merged into #{first}" in merged
    absorbed = cli("history", str(first)).stdout
    assert f"absorbed duplicate #{third}" in absorbed and " UTC " in absorbed
    bad_zone = cli("history", str(first), env={"CLAIMBOT_TIMEZONE": "Mars/Base"}, ok=False)
    assert bad_zone.returncode == 1 and "not an IANA time zone name" in bad_zone.stderr


def test_claimreview_export_says_when_nothing_has_a_verdict(cli, tmp_path: Path) -> None:
    page = {"CLAIMBOT_CLAIM_URL_TEMPLATE": "https://factcheck.example.org/claims/{id}"}
    missing = cli("export", "--format", "claimreview", ok=False)
    assert missing.returncode == 1 and "claim_url_template" in missing.stderr
    empty = cli("export", "--format", "claimreview", env=page)
    assert json.loads(empty.stdout) == [] and "No claim has a verdict yet" in empty.stderr
    item = sample("nato_spending.txt")
    cli("ingest", str(item.path), "--url", item.url)
    cli("verdict", "1", "accurate", "--by", "Desk")
    [review] = json.loads(cli("export", "--format", "claimreview", env=page).stdout)
    assert review["url"] == "https://factcheck.example.org/claims/1"


@pytest.mark.slow
def test_byte_order_mark_and_archive_round_trip(cli, tmp_path: Path) -> None:
    src = tmp_path / "bom.jsonl"
    src.write_bytes("\ufeff".encode() + json.dumps({"text": "We have to do it.", "speaker": "Trump"}).encode()
                    + b"\n")
    assert json.loads(cli("import", str(src), "--json").stdout)["added"] == 1
    for item in samples():
        cli("ingest", str(item.path), "--url", item.url)
    cli("verdict", "2", "disputed", "--by", "Desk")
    archive = tmp_path / "store.jsonl"
    cli("export", "--format", "archive", "--output", str(archive))
    other = {"CLAIMBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'other.db'}"}
    restored = cli("import", str(archive), env=other).stdout
    assert restored.startswith("Restored the archive:") and "claims" in restored
    assert cli("export", "--format", "archive", env=other).stdout == archive.read_text(encoding="utf-8")
    again = cli("import", str(archive), env=other, ok=False)
    assert again.returncode == 1 and "empty database" in again.stderr
