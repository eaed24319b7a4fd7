"""A stored claim keeps the article's meaning: polarity, frames, lead-ins, anonymity, context.

Every text here is written for the test (issue 21); none comes from PolNeAR or the held-back news.
"""

from __future__ import annotations

import pytest

from claims.catalog import Catalog
from claims.extract.attribution import ExtractedClaim, extract_claims
from claims.normalize import normalize_text
from tests.claims.extract.found import find_claim

HEAD = "Ferry Fares Go Up Again\n"
INTRO = "Mayor Linda Okafor of Harbourton opened the session on Monday. "


def _claims(body: str, catalog: Catalog) -> list[ExtractedClaim]:
    return extract_claims(HEAD + body, catalog=catalog)



# --- polarity ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        'Port officials have not said the operator is "abandoning" the night crossing.',
        "The operator did not publicly say the night crossing would end.",
        "Ms. Okafor declined to say whether the night crossing would end.",
        "The operator never said the night crossing would end.",
    ],
)
def test_a_negated_report_is_not_stored_as_the_assertion(body: str, catalog: Catalog) -> None:
    claims = _claims(INTRO + body, catalog)
    assert not [c for c in claims if "night crossing" in c.text], [c.text for c in claims]


def test_a_denial_keeps_the_denial(catalog: Catalog) -> None:
    body = INTRO + "Ms. Okafor said the audit was fair, but she denied that she hid the repair bills.\n"
    c = find_claim(_claims(body, catalog), "hid the repair bills")
    assert normalize_text(c.text).startswith(normalize_text("she denied that"))
    assert c.resolved_text is not None and c.resolved_text.startswith("[Okafor] denied")


@pytest.mark.parametrize(
    "body",
    [
        "Though it is hard to judge the operator's claims about the new hulls, engineers say the "
        "boats are sound.",
        "Everything the operator says is spin, the union argued.",
        "The gap between what the operator says its fares cover and what they cover has grown.",
    ],
)
def test_a_cue_word_in_a_noun_phrase_is_not_an_attribution(body: str, catalog: Catalog) -> None:
    claims = _claims(body, catalog)
    assert not [c for c in claims if c.speaker and "operator" in c.speaker.lower()]
    starts = ("about the new", "is spin", "its fares")
    assert not [c for c in claims if normalize_text(c.text).startswith(starts)]


# --- frames and lead-ins ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "phrase", "frame"),
    [
        ('Ms. Okafor called the fare rise "indefensible."', "fare rise", "[Okafor called]"),
        (
            "Ms. Okafor accused the operator of hiding the repair bills from riders.",
            "hiding the repair bills",
            "[Okafor accused the operator of]",
        ),
        (
            "Ms. Okafor called the new timetable a big win for commuters and for the harbour.",
            "new timetable",
            "[Okafor called]",
        ),
        ("Ms. Okafor called for an inquiry into the repair bills.", "inquiry", "[Okafor called for]"),
    ],
)
def test_non_speech_verbs_keep_their_frame(body: str, phrase: str, frame: str, catalog: Catalog) -> None:
    c = find_claim(_claims(INTRO + body, catalog), phrase)
    assert c.resolved_text is not None and c.resolved_text.startswith(frame), c.resolved_text


@pytest.mark.parametrize(
    ("body", "content"),
    [
        ("Ms. Okafor has said since March that the pier is not for sale.", "the pier is not for sale"),
        ("Ms. Okafor is warning riders that the fares could double.", "the fares could double"),
        ("Ms. Okafor has argued for years that the subsidy is too small.", "the subsidy is too small"),
    ],
)
def test_dangling_lead_ins_are_stripped(body: str, content: str, catalog: Catalog) -> None:
    c = find_claim(_claims(INTRO + body, catalog), content)
    assert normalize_text(c.text) == normalize_text(content)


# --- anonymity ------------------------------------------------------------------------------------------


def test_an_anonymity_clause_is_not_a_claim(catalog: Catalog) -> None:
    body = (
        "The bills were found in a drawer by port inspectors who spoke on the condition of anonymity "
        "because they were not authorized to discuss the audit, Ms. Okafor's aides said.\n"
        "The audit is continuing, according to harbour officials who spoke on the condition of "
        "anonymity.\n"
    )
    claims = _claims(INTRO + body, catalog)
    assert claims
    assert not [c for c in claims if "anonymity" in c.text]
    assert find_claim(claims, "audit is continuing").speaker == "harbour officials"


# --- context --------------------------------------------------------------------------------------------


def test_context_is_the_sentence_that_introduces_the_referent(catalog: Catalog) -> None:
    body = (
        "Ms. Okafor signed the ferry deal with the operator on Monday. Riders waited in the rain. "
        "Pilots complained about the wind.\n"
        '"The deal is the best we could get," Ms. Okafor said.\n'
    )
    c = find_claim(_claims(INTRO + body, catalog), "best we could get")
    assert c.context is not None
    assert "signed the ferry deal" in c.context
    assert "Pilots complained" not in c.context


def test_no_context_when_nothing_needs_introducing(catalog: Catalog) -> None:
    body = "Riders waited in the rain for an hour.\n"
    body += '"Fares will rise by a fifth in May," Ms. Okafor said.\n'
    c = find_claim(_claims(INTRO + body, catalog), "Fares will rise")
    assert c.context is None or "Riders waited" not in c.context


def test_a_quoted_he_gets_the_sentence_naming_him(catalog: Catalog) -> None:
    body = (
        "Ms. Okafor met the operator's chief, Jonas Pell, on Monday. The meeting lasted an hour. "
        "Rain fell all day.\n"
        '"He promised me new boats by June," Ms. Okafor said.\n'
    )
    c = find_claim(_claims(INTRO + body, catalog), "new boats by June")
    assert c.context is not None and "Jonas Pell" in c.context
    assert "Rain fell" not in c.context


def test_an_it_that_stands_for_what_follows_is_never_the_speaker(catalog: Catalog) -> None:
    """ "The ferry board said it is important that ...": "it" is no pronoun for the board."""
    claims = extract_claims(
        "Ferry Fares Go Up\nThe Harbor Ferry Board said it is important that fares rise in May.",
        catalog=catalog,
    )
    assert claims and all("[" not in (c.resolved_text or "") for c in claims)


def test_a_say_verb_with_no_clause_keeps_its_frame(catalog: Catalog) -> None:
    """ "The mayor has maintained her silence on the fares": no clause follows, so the verb stays."""
    text = "Ferry Fares Go Up\nThe mayor has maintained her silence on the fares."
    claims = extract_claims(text, catalog=catalog)
    assert [c.resolved_text for c in claims] == ["[the mayor maintained] her silence on the fares"]


def test_content_in_a_fronted_subordinate_clause_ends_with_the_clause(catalog: Catalog) -> None:
    """ "Months after the mayor promised cheaper fares, the board raised them": the promise ends
    at the comma; the main clause is the article's own voice."""
    text = "Ferry Fares Go Up\nMonths after Mayor Jane Holloway promised cheaper fares, the board acted."
    claims = extract_claims(text, catalog=catalog)
    assert [c.text for c in claims] == ["cheaper fares"]


def test_said_with_a_colon_leaves_the_lead_in_alone(catalog: Catalog) -> None:
    """ "In a speech last July, he said:": what he said is the next paragraph, not the lead-in."""
    claims = extract_claims("Ferry Fares Go Up\nIn a speech last July, Jane Holloway said:", catalog=catalog)
    assert [c.text for c in claims] == []


def test_a_claim_in_a_relative_clause_ends_with_the_clause(catalog: Catalog) -> None:
    """ "Holloway, who said the fares were fair, left early": the claim is "the fares were fair"."""
    text = "Ferry Fares Go Up\nJane Holloway, who said the fares were fair, left the meeting early."
    assert [c.text for c in extract_claims(text, catalog=catalog)] == ["the fares were fair"]


def test_an_appositive_after_the_subject_does_not_end_the_claim(catalog: Catalog) -> None:
    """ "The bureau says riders, numbering 3 million, paid more": the appositive is inside the claim."""
    text = "Ferry Fares Go Up\nThe Harbor Bureau says riders, numbering 3 million, paid more in May."
    claims = extract_claims(text, catalog=catalog)
    assert [c.text for c in claims] == ["riders, numbering 3 million, paid more in May"]
