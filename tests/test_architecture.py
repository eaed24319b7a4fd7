"""The architecture as written down stays true: migrations are frozen history that imports nothing
from the application, and the README's architecture section names only packages and modules that
exist. (The import rules between layers are import-linter contracts, run by ``lint-imports``.)"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = sorted((ROOT / "claims" / "store" / "migrations" / "versions").glob("*.py"))
APPLICATION = ("claims", "bot")


def _imported_modules(path: Path) -> list[str]:
    """Every module a file imports, at any depth (inside functions too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(node.module)
    return found


def test_there_are_migrations_to_check() -> None:
    assert len(MIGRATIONS) >= 5


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda p: p.name)
def test_a_migration_imports_nothing_from_the_application(path: Path) -> None:
    application = [m for m in _imported_modules(path) if m.split(".")[0] in APPLICATION]
    assert application == [], f"{path.name} imports live code: {application}"


def test_the_import_walker_sees_imports_inside_functions(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\n\ndef f():\n    from claims.store import db\n    import bot.cli\n")
    assert _imported_modules(sample) == ["os", "claims.store", "bot.cli"]


def _architecture_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Architecture\n(.*?)^## ", readme, re.MULTILINE | re.DOTALL)
    assert match, "the README has no Architecture section"
    return match.group(1)


def _named_paths(section: str) -> list[str]:
    """Paths in backticks that start with a package folder: ``claims/service/``, ``bot/cli*.py``."""
    return [p for p in re.findall(r"`([^`\s]+)`", section) if p.split("/")[0] in (*APPLICATION, "tests")]


def test_the_architecture_section_is_near_the_top() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", readme, re.MULTILINE)
    assert "Architecture" in headings[:3]


def test_every_package_the_architecture_section_names_exists() -> None:
    named = _named_paths(_architecture_section())
    assert len(named) >= 15  # the section names every layer's packages
    missing = [p for p in named if not any(ROOT.glob(p.rstrip("/")))]
    assert missing == []


def test_every_domain_package_is_in_the_architecture_section() -> None:
    named = set(_named_paths(_architecture_section()))
    packages = {f"claims/{p.name}/" for p in (ROOT / "claims").iterdir()
                if (p / "__init__.py").is_file() and p.name != "defaults"}
    modules = {f"claims/{p.name}" for p in (ROOT / "claims").glob("*.py") if p.name != "__init__.py"}
    assert (packages | modules) - named == set()
