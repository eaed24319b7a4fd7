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


# --- stance axes, subject test and quantities (claims.positions.stance / subject / numbers) ---

@pytest.mark.parametrize(("earlier", "later", "reason"), [
    # level axis: "not go up" leaves down or same; a rise clashes
    ("Bus fares will not go up this winter.", "Bus fares will rise by 4 percent this winter.", Reason.STANCE),
    ("The pension age will stay unchanged.", "The pension age will rise to 67.", Reason.STANCE),
    ("The retirement age will not change.", "The retirement age will go up to 66.", Reason.STANCE),
    # position axis: for / against, with "no intention of" read as a negation
    ("We have no intention of selling the harbour.", "The harbour is for sale.", Reason.STANCE),
    ("The council will back the bypass.", "The council will vote against the bypass.", Reason.STANCE),
    ("We will vote against the bill.", "We will abstain on the bill.", Reason.STANCE),
    ("The festival will go ahead as planned.", "The festival has been called off.", Reason.STANCE),
    ("A fuel duty rise is ruled out.", "A fuel duty rise is on the table.", Reason.POLARITY),
    # a plain statement of what will happen, then called off
    ("The dockers will strike on Friday.", "The dockers' strike has been called off.", Reason.STANCE),
    # required axis, with an emphatic "no exceptions" that denies nothing
    ("Helmets are mandatory for every rider, no exceptions.", "Helmets are no longer required for riders.",
     Reason.STANCE),
    # a bound worded with a negation, then another bound
    ("The ferry subsidy is capped at 20 million euros.",
     "The ferry subsidy will not exceed 30 million euros.", Reason.NUMBER),
    # another value for the same quantity, reworded around it
    ("We are trimming the ferry timetable by 10 percent.",
     "The ferry timetable reduction will be 25 percent.", Reason.NUMBER),
    ("We expect annual sales of about 2.1 billion dollars.", "Sales for the year should reach 1.8 billion.",
     Reason.NUMBER),
    # a denial of the very word the other asserts
    ("There will be no curfew in the capital.", "A night curfew starts in the capital on Friday.",
     Reason.POLARITY),
    # a plain "remain at" against a rise to another figure
    ("The speed limit in town will remain at 50 km/h.", "The speed limit in town will go up to 60 km/h.",
     Reason.NUMBER),
    # a job cut by another name
    ("There will be no layoffs at the mill.", "The mill will cut 300 jobs.", Reason.POLARITY),
    ("There will be no layoffs at the mill this year.", "The mill will shed 300 jobs by December.",
     Reason.STANCE),
])
def test_stance_and_quantity_changes_are_flagged(rules: PositionRules, earlier: str, later: str,
                                                 reason: Reason) -> None:
    found = compare(earlier, later, rules)
    assert found.relation is Relation.CHANGED, found
    assert found.reason is reason


@pytest.mark.parametrize(("earlier", "later"), [
    # the same side said twice, in other words
    ("We have no intention of cancelling the concert.", "The concert will go ahead as planned."),
    ("The pool will not close.", "The pool will stay open."),
    ("We will not raise the water charge.", "The water charge will stay where it is."),
    ("The bridge toll will rise by 2 percent.", "The bridge toll will be 2 percent higher."),
    ("We oppose the quarry.", "We do not support the quarry, and we never will."),
    ("We back a cut in the levy.", "We oppose any rise in the levy."),  # two clashes cancel out
    # a negation falls on its first stance word, not on the object's ("a bill that cuts")
    ("The mayor would veto any budget that cuts bus routes.",
     "She will not sign a budget that cuts bus routes."),
    ("The senator will never support a fuel duty increase.", "The senator opposes raising fuel duty."),
    # "bridges, not walls" sets walls aside
    ("We are not going to build a fence.", "We are going to build trust, not fences."),
    # a negation interrupted by a comma still reaches its verb, and said twice is said once
    ("We will not raise the levy.", "We will not, and never will, raise the levy."),
    ("The gala will not be cancelled.", "The gala will not, under any circumstances, be cancelled."),
    # emphatic negations in their own clause deny nothing the other said
    ("The truce will hold.", "The truce is holding, and we will not break it."),
    ("If the minister does not apologise he should resign.", "The minister should resign."),
    # a bare "No," answers someone else
    ("The mayor was right about the budget.", "No, the mayor was right about the budget."),
    # same subject word, another thing: settings, objects, names
    ("Helmets are no longer required on the road.", "Helmets are still required on the track."),
    ("The party will back the budget.", "The party will oppose the pension reform."),
    ("We will not cut flights to Oslo.", "We are cutting flights to Vienna."),
    ("Bread prices will rise.", "Milk prices will fall."),
    ("Exports fell last year.", "Imports rose last year."),
    # the same figure for two quantities, or two figures for two quantities
    ("Salaries will increase by 3 percent.", "Bonuses will fall by 3 percent."),
    ("Ticket prices will rise by 5 percent.", "Energy costs have risen by 50 percent."),
    ("Toll revenue fell 4 percent.", "Toll revenue will fund 40 percent of the new bridge."),
    # another year is another event; ordinals name other items
    ("We will bid for the 2030 championship.", "A bid for the 2034 championship is not something we want."),
    ("The committee rejected the first draft.", "The committee accepted the second draft."),
    # a phrase that narrows the subject ("on motorways") is another subject
    ("Speed limits will not go up.", "Speed limits on motorways will rise."),
    ("Taxes will not rise.", "Taxes on tobacco will rise."),
    ("The speed limit will stay at 50 km/h.", "The speed limit on motorways will rise to 130 km/h."),
    # the owner, then what it owns
    ("The minister will not resign.", "The minister's deputy has resigned."),
    # a denial of something the other does not assert
    ("There were no injuries in the fire.", "The fire caused serious damage."),
    ("No agreement was reached on fishing.", "An agreement was reached on farming."),
    ("We did not receive any complaints.", "We received the auditors' report on Tuesday."),
    # something else cancelled
    ("The festival will feature 200 bands.", "The festival's opening concert was cancelled."),
    ("The rail strike will start on Monday.", "The bus strike has been called off."),
])
def test_same_side_and_other_subjects_are_not_flagged(rules: PositionRules, earlier: str,
                                                      later: str) -> None:
    found = compare(earlier, later, rules)
    assert found.relation is not Relation.CHANGED, found
