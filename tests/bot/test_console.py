"""``claimbot chat``: the offline console drives the same Application through the in-process API."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot import console
from claims.samples import samples
from claims.service import ingest as service_ingest
from claims.settings import DEFAULT_CONFIG_DIR, Settings
from tests.bot.harness import GOLD

SCRIPT = """/start
what did Trump say about Greenland?
:4
/verdict 1 false Not what he said
/history 1
:file {article}
:reply /ingest
/stats
<b>unclosed & hostile
:quit
"""


def _run(tmp_path: Path, script: str) -> str:
    out = io.StringIO()
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}", config_dir=DEFAULT_CONFIG_DIR)
    assert console.run_console(settings, stdin=io.StringIO(script), stdout=out) == 0
    return out.getvalue()


def test_console_seeds_and_answers_every_kind_of_input(tmp_path: Path) -> None:
    output = _run(tmp_path, SCRIPT.format(article=GOLD / "wire_tariffs.txt"))
    shipped = len(samples())
    assert f"Seeded an empty database with {shipped} sample articles" in output
    assert "Just send me a question" in output
    assert "Here is what I found" in output
    assert "Donald Trump" in output
    assert "bot (edited)> More results (page 2)" in output
    assert "Verdict recorded" in output
    assert "verdict by You (@you)" in output
    assert "Ingested EU readies countermeasures" in output
    assert f"Articles: {shipped + 1}" in output
    assert "I have no claim on “<b>unclosed & hostile”" in output
    assert not (tmp_path / "unused.db").exists()  # a fresh temporary database, not the configured one


def test_console_without_the_sample_articles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service_ingest, "samples", list)  # an installation that ships none
    output = _run(tmp_path, "/topics\n")
    assert "No sample articles are installed" in output
    assert "No topics yet" in output
