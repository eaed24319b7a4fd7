"""Synonyms the matcher treats as one word (``config/synonyms.toml``: truce ~ cease-fire)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from claims.errors import ConfigError
from claims.settings import config_file


def load_synonyms(config_dir: Path) -> dict[str, list[str]]:
    """Read ``synonyms.toml``: each word or phrase with its equivalents (a folder without one uses
    the shipped default; no file at all means none).

    Equivalence is symmetric in the matcher, so each group needs writing down only once.
    """
    path = config_file(config_dir, "synonyms.toml")
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path.name} is not valid TOML: {exc}") from exc
    table = doc.get("synonyms", doc)
    out: dict[str, list[str]] = {}
    for head, equivalents in table.items():
        if not isinstance(equivalents, list) or not all(isinstance(e, str) for e in equivalents):
            raise ConfigError(f"config: synonyms for {head!r} must be a list of strings")
        out[head] = list(equivalents)
    return out
