"""Timelines and changed positions (issue 25): the comparison rules, the links written at ingest,
the timeline's order and grouping, /changes, and an admin clearing a wrong flag."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from claims.catalog import Catalog
from claims.errors import InvalidArgumentError, NotFoundError
from claims.ingest.sources import ArticleInput
from claims.positions.compare import Reason, Relation, compare
from claims.positions.rules import PositionRules
from claims.service import ClaimService
from claims.store.history import Actor

SERIES = Path(__file__).resolve().parents[1] / "series"


@pytest.fixture(scope="module")
def rules(catalog: Catalog) -> PositionRules:
    return PositionRules.from_catalog(catalog)


@pytest.mark.parametrize(("earlier", "later", "reason"), [
    ("The agreement is binding.", "The agreement is not binding.", Reason.POLARITY),
    ("Russia is in no hurry for a cease-fire.", "Russia is ready for a cease-fire now.", Reason.POLARITY),
    ("Unemployment fell to 5 percent.", "Unemployment fell to 50 percent.", Reason.NUMBER),
    ("I support the new stadium.", "I oppose the new stadium.", Reason.OPPOSITE),
    ("The council accepted the offer.", "The council rejected the offer.", Reason.OPPOSITE),
])
def test_contradictions_are_flagged_with_their_reason(rules: PositionRules, earlier: str, later: str,
                                                      reason: Reason) -> None:
    found = compare(earlier, later, rules)
    assert found.relation is Relation.CHANGED
    assert found.reason is reason


@pytest.mark.parametrize(("earlier", "later"), [
    ("Greenland is not for sale.", "Greenland is not for sale, and never will be."),  # emphatic repeat
    ("We will build the wall.", "We will build the wall and Mexico will pay for it."),  # extension
    ("The deal will create 5,000 jobs.", "The deal will create five thousand jobs."),  # same number
    ("Inflation was 3 percent in May.", "Inflation was 3 percent in May, the bank said."),
    ("We will not raise taxes.", "Taxes are too high for families."),  # shares a word, not a claim
])
def test_repeats_extensions_and_other_subjects_are_never_flagged(rules: PositionRules, earlier: str,
                                                                 later: str) -> None:
    assert compare(earlier, later, rules).relation is not Relation.CHANGED


def _ingest(service: ClaimService, name: str, day: str) -> None:
    text = (SERIES / name).read_text(encoding="utf-8")
    service.ingest(ArticleInput(
        text=text, url=f"https://series.example/{name}", canonical_url=f"https://series.example/{name}",
        title=text.splitlines()[0], outlet="series",
        published_at=datetime.fromisoformat(day).replace(tzinfo=UTC)))


MARCH_QUOTE = "Russia is ready for a cease-fire now"
MARCH_REPORTED = "Russia was ready for a cease-fire now, in a shift from his stance in January"


def _two_articles(service: ClaimService, *, reversed_order: bool = False) -> None:
    articles = [("putin_ceasefire_january.txt", "2025-01-14"), ("putin_ceasefire_march.txt", "2025-03-13")]
    for name, day in reversed(articles) if reversed_order else articles:
        _ingest(service, name, day)


def test_timeline_shows_a_speakers_claims_in_order_and_flags_the_change(service: ClaimService) -> None:
    _two_articles(service)
    tl = service.timeline_for("Putin cease-fire")
    assert tl.speaker == "Vladimir Putin"
    assert tl.topic is not None
    said = [e.said_at for e in tl.entries if e.topic == tl.topic]
    assert said == sorted(said) and said[0].year == 2025 and said[0].month == 1 and said[-1].month == 3
    flagged = [e for e in tl.entries if e.earlier and e.earlier.changed]
    # the quote, and the article's report of it (a stance change: "in no hurry" / "ready")
    assert sorted(e.text for e in flagged) == [MARCH_QUOTE, MARCH_REPORTED]
    flagged = [e for e in flagged if e.text == MARCH_QUOTE]
    earlier = flagged[0].earlier
    assert earlier is not None and "no hurry" in earlier.text and earlier.said_at.month == 1
    assert tl.changed == 2
    # the claim card carries the earlier claim
    view = service.claim(flagged[0].claim_id)
    assert view.earlier is not None and view.earlier.changed and view.earlier.claim_id == earlier.claim_id


def test_an_archive_ingested_out_of_order_gives_the_same_record(service: ClaimService) -> None:
    """March's article first, then January's: the change is still found, and still in March."""
    _two_articles(service, reversed_order=True)
    items, total = service.position_changes(limit=10)
    assert total == 2 and sorted(i.text for i in items) == [MARCH_QUOTE, MARCH_REPORTED]
    assert all(i.earlier.said_at < i.said_at for i in items)
    tl = service.timeline("Putin")
    for group in tl.groups:
        said = [e.said_at for e in group.entries]
        assert said == sorted(said)


def test_changes_list_and_clearing_a_flag_is_recorded(service: ClaimService) -> None:
    _two_articles(service)
    items, total = service.position_changes(limit=10)
    assert total == 2 and {i.speaker for i in items} == {"Vladimir Putin"}
    cid = items[0].claim_id
    earlier_id = service.clear_position_flag(cid, reason="conditions still apply",
                                             actor=Actor(id=7, name="ed"))
    assert earlier_id == items[0].earlier.claim_id
    left, left_total = service.position_changes(limit=10)
    assert left_total == 1 and [i.claim_id for i in left] == [items[1].claim_id]
    _view, revisions = service.history(cid)
    last = revisions[-1]
    assert last.change == "unflagged" and last.admin_name == "ed" and last.reason == "conditions still apply"
    assert last.related_claim_id == earlier_id
    assert service.claim(cid).earlier is not None and not service.claim(cid).earlier.changed  # type: ignore[union-attr]
    with pytest.raises(InvalidArgumentError, match="already cleared"):
        service.clear_position_flag(cid, reason=None, actor=Actor(id=7, name="ed"))




def test_unknown_speaker_and_unflagged_claim_are_clear_errors(service: ClaimService) -> None:
    _two_articles(service)
    with pytest.raises(NotFoundError):
        service.timeline_for("Nobody Atall cease-fire")
    first = service.timeline("Putin").entries[0].claim_id
    with pytest.raises(NotFoundError, match="not flagged"):
        service.clear_position_flag(first, reason=None, actor=Actor(id=1))


def test_timeline_pages_and_phrase_filter(service: ClaimService) -> None:
    _two_articles(service)
    whole = service.timeline("Putin")
    page = service.timeline("Putin", limit=2, offset=2)
    assert page.total == whole.total and len(page.entries) == 2
    assert [e.claim_id for e in page.entries] == [e.claim_id for e in sorted(
        whole.entries, key=lambda e: (e.said_at, e.claim_id))][2:4]
    about = service.timeline("Putin", about="truce")
    assert about.total >= 1 and all("truce" in e.text.lower() or "truce" in (e.topic_name or "").lower()
                                    for e in about.entries)
