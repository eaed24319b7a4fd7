"""The full-fidelity archive: export, restore into a new store, export again, and nothing is lost."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from claims.catalog import Catalog
from claims.errors import InputError
from claims.ingest.sources import parse_text
from claims.samples import samples
from claims.service import ClaimService
from claims.settings import Settings
from claims.store import db
from claims.store.history import Actor
from claims.store.models import Claim

pytestmark = pytest.mark.postgres

DESK = Actor(id=None, name="Jane Desk")
ECHO = ("Allies react to the spending deal\n"
        "BRUSSELS — “This is a quantum leap. It is ambitious, it is historic and it is fundamental to "
        "securing our future,” Mark Rutte, NATO’s secretary general, said on Wednesday, as diplomats "
        "began to work out what the new target would cost each country.\n")


@pytest.fixture
def source_engine(tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    """The store archives are made from (SQLite), beside the ``service`` store they go into."""
    path = tmp_path / "source.db"
    shutil.copyfile(sqlite_template, path)
    engine = db.make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def _archive(service: ClaimService) -> list[str]:
    with service.archived() as rows:
        return [json.dumps(row, ensure_ascii=False, sort_keys=True) for row in rows]


def _said(engine: Engine) -> list[tuple]:
    with Session(engine) as session:
        return list(session.exec(select(Claim.id, Claim.said_at).order_by(Claim.id)))


def _filled(engine: Engine, catalog: Catalog) -> ClaimService:
    """A store with everything an archive must keep: several sources for one claim, an edit, a
    verdict with a note, a retraction and a merge."""
    source = ClaimService(Settings(database_url=str(engine.url)), engine, catalog)
    for item in samples():
        source.ingest(item.article())
    again = source.ingest(parse_text(ECHO, url="https://wire.example/spending-deal"))
    assert again.report.appeared, "the repeated quote is one claim with two sources"
    claims = source.claims(limit=50)
    first, second, third = claims[0].id, claims[1].id, claims[2].id
    source.edit(first, "A corrected wording.", actor=DESK)
    source.set_verdict(first, "misleading", note="Context is missing.", actor=DESK)
    source.retract(second, reason="Misattributed.", actor=DESK)
    source.merge(third, first, actor=DESK)
    return source


def test_archive_round_trips_everything(source_engine: Engine, service: ClaimService,
                                        catalog: Catalog) -> None:
    source = _filled(source_engine, catalog)
    exported = _archive(source)
    rows = [json.loads(line) for line in exported[1:]]
    tables = {row["table"] for row in rows}
    assert tables == {"speaker", "topic", "article", "claim", "claimrevision", "claimappearance"}
    assert any(len([r for r in rows if r["table"] == "claimappearance"
                    and r["row"]["claim_id"] == c["row"]["id"]]) > 1
               for c in rows if c["table"] == "claim")  # a claim with two sources
    report = service.restore(iter(line + "\n" for line in exported))
    assert report.rows["claim"] == sum(1 for r in rows if r["table"] == "claim")
    assert _archive(service) == exported
    assert _said(source.engine) == _said(service.engine)  # not archived: computed again
    merged = next(r["row"] for r in rows if r["table"] == "claim" and r["row"]["status"] == "merged")
    view, history = service.history(merged["id"])
    assert view.merged_into_id == merged["merged_into_id"]
    assert [r.change for r in history][-1] == "merged" and history[-1].admin_name == "Jane Desk"
    # Ids continue after the restored ones (PostgreSQL's sequences were moved on).
    top = max(r["row"]["id"] for r in rows if r["table"] == "claim")
    later = ("A new headline here\n“We will build it,” Mr. Rutte said on Monday in Brussels, speaking "
             "to reporters about the alliance.")
    added = service.ingest(parse_text(later, url="https://new.example/1"))
    assert added.report.added and min(added.report.added) > top


def test_restore_needs_an_empty_store_and_refuses_bad_lines(source_engine: Engine, service: ClaimService,
                                                            catalog: Catalog) -> None:
    exported = _archive(_filled(source_engine, catalog))
    source = ClaimService(Settings(database_url=str(source_engine.url)), source_engine, catalog)
    with pytest.raises(InputError, match="empty database"):
        source.restore(iter(exported))
    broken = [*exported[:5], '{"table": "claim", "row": {"id": "seven"}}', *exported[5:]]
    with pytest.raises(InputError, match="line 6"):
        service.restore(iter(broken))
    with pytest.raises(InputError, match="not a claimbot archive"):
        service.restore(iter(['{"text": "a claim line, not an archive"}']))
    assert service.stats().store.claims == 0  # nothing of the bad archive stayed
    assert service.restore(iter(exported)).rows["claim"] > 0
