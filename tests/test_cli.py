"""The ``claimbot`` command as a user runs it: a real subprocess on a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEED_ARTICLE

SEED_URL = "https://www.nytimes.com/2025/03/13/us/politics/trump-putin-ukraine-cease-fire.html"


@pytest.fixture
def cli(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMBOT_")}
    env["CLAIMBOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"

    def run(*args: str, ok: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, env=env,
            cwd=tmp_path, input=stdin, timeout=120,
        )
        if ok:
            assert proc.returncode == 0, proc.stderr
        return proc

    return run


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.mark.skipif(not SEED_ARTICLE.exists(), reason="shared/seeds not beside the repository")
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
    reviews = json.loads(cli("export", "--format", "claimreview").stdout)
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


@pytest.mark.skipif(not SEED_ARTICLE.exists(), reason="shared/seeds not beside the repository")
def test_ask_single_and_batch(cli, tmp_path: Path) -> None:
    cli("ingest", str(SEED_ARTICLE), "--url", SEED_URL, "--published", "2025-03-13")
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
