"""Sample articles that ship inside the package: something to ask about on a brand-new store.

``claimbot chat`` seeds an empty database with them and the tests ingest them, so neither depends
on anything beside the repository. ``samples.toml`` lists each article's file, URL and date (plain
text carries no metadata of its own).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from claims.ingest.sources import ArticleInput, parse_document

SAMPLES_DIR = Path(__file__).resolve().parent
"""Where the sample files are (the package is installed unzipped, as setuptools does)."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One shipped article and the metadata its plain text cannot carry."""

    file: str
    url: str
    published_at: datetime
    outlet: str

    @property
    def path(self) -> Path:
        return SAMPLES_DIR / self.file

    def article(self) -> ArticleInput:
        """The article as ingestion takes it, with its URL, date and outlet."""
        raw = resources.files(__package__).joinpath(self.file).read_bytes()
        parsed = parse_document(raw, url=self.url, name=f"Sample {self.file}")
        return replace(parsed, canonical_url=self.url, outlet=self.outlet, published_at=self.published_at)


def samples() -> list[Sample]:
    """The shipped articles, in the order ``samples.toml`` lists them."""
    doc = tomllib.loads(resources.files(__package__).joinpath("samples.toml").read_text(encoding="utf-8"))
    return [
        Sample(file=entry["file"], url=entry["url"], outlet=doc["outlet"],
               published_at=_aware(entry["published_at"]))
        for entry in doc["article"]
    ]


def sample(file: str) -> Sample:
    """One sample by file name (tests pick the article they are about)."""
    for item in samples():
        if item.file == file:
            return item
    raise KeyError(file)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
