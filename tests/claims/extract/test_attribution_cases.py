"""Extraction round 2 (issue 13) and the open-world speaker fields (issue 11), case by case.

Every text here is written for the test; none comes from PolNeAR or the sample article.
"""

from __future__ import annotations

import pytest

from claims.catalog import Catalog
from claims.extract.attribution import ExtractedClaim, extract_claims
from claims.extract.cues import cue_class, tracked
from tests.claims.extract.found import find_claim

HEAD = "Harbour Town Weighs Its Tunnel\n"
MAYOR = "Mayor Linda Okafor of Harbourton opened the session on Monday. "


def _claims(body: str, catalog: Catalog, **kw: object) -> list[ExtractedClaim]:
    return extract_claims(HEAD + body, catalog=catalog, **kw)  # type: ignore[arg-type]



# --- cues --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "verb",
    ["indicated", "believes", "thinks", "argued", "warned", "insisted", "claimed", "denied"],
)
def test_named_cues_report_the_mayors_claim(verb: str, catalog: Catalog) -> None:
    claims = _claims(MAYOR + f"Ms. Okafor {verb} the old tunnel was no longer safe for buses.", catalog)
    c = find_claim(claims, "the old tunnel was no longer safe")
    assert c.speaker == "Linda Okafor"
    assert c.cue == verb
    assert c.kind == "reported"


@pytest.mark.parametrize("verb", ["show", "shows", "showed"])
def test_a_poll_showing_something_is_its_claim(verb: str, catalog: Catalog) -> None:
    claims = _claims(
        f"Two new surveys of harbour residents {verb} support for the tunnel falling fast.", catalog
    )
    c = find_claim(claims, "support for the tunnel falling fast")
    assert c.speaker == "two new surveys of harbour residents"
    assert c.speaker_kind == "description"


def test_colon_attribution_in_a_transcript(catalog: Catalog) -> None:
    body = "DANA REYES: Why did the council wait so long? Was it the cost?\nMAYOR OKAFOR: No.\n"
    c = find_claim(_claims(body, catalog), "Why did the council wait so long")
    assert c.speaker == "Dana Reyes"
    assert c.cue == ":"


def test_colon_attribution_in_a_headline(catalog: Catalog) -> None:
    text = "Okafor: The Tunnel Cannot Wait Another Winter\n" + MAYOR + "She spoke for an hour.\n"
    c = find_claim(extract_claims(text, catalog=catalog), "The Tunnel Cannot Wait")
    assert c.speaker == "Linda Okafor"


def test_asked_gives_the_question(catalog: Catalog) -> None:
    body = MAYOR + "Ms. Okafor asked whether the state would pay for the repairs.\n"
    body += "“Who pays for the ferry?” a resident asked.\n"
    claims = _claims(body, catalog)
    c = find_claim(claims, "whether the state would pay for the repairs")
    assert c.speaker == "Linda Okafor"
    assert c.cue == "asked"
    q = find_claim(claims, "Who pays for the ferry?")
    assert q.speaker == "a resident"
    assert q.kind == "direct"


def test_content_outside_quotation_marks(catalog: Catalog) -> None:
    claims = _claims(
        MAYOR + "The harbour budget would be balanced by 2027, Ms. Okafor told reporters.", catalog
    )
    c = find_claim(claims, "The harbour budget would be balanced by 2027")
    assert c.speaker == "Linda Okafor"
    assert c.quote is None


# --- speakers ----------------------------------------------------------------------------------------


def test_description_resolved_to_the_person_named_earlier(catalog: Catalog) -> None:
    body = "Pierre Dupont, the union's treasurer, joined the talks on Tuesday.\n"
    body += "The treasurer said the pension fund could not cover the shortfall.\n"
    c = find_claim(_claims(body, catalog), "the pension fund could not cover the shortfall")
    assert c.speaker == "Pierre Dupont"
    assert c.speaker_kind == "person"


def test_unnamed_description_is_the_speaker(catalog: Catalog) -> None:
    claims = _claims("A campaign spokesman said the rally would go ahead in the rain.", catalog)
    c = find_claim(claims, "rally")
    assert c.speaker == "a campaign spokesman"
    assert c.speaker_kind == "description"


def test_compound_subject_gives_one_claim_per_speaker(catalog: Catalog) -> None:
    body = MAYOR + "Ms. Okafor and Governor Kathy Hochul agreed that the tunnel must be rebuilt by 2030."
    claims = [c for c in _claims(body, catalog) if "tunnel must be rebuilt" in c.text]
    assert sorted(c.speaker or "" for c in claims) == ["Kathy Hochul", "Linda Okafor"]


@pytest.mark.parametrize(
    "sentence",
    [
        'Ms. Okafor vetoed the plan on Tuesday, saying the city "cannot afford another delay."',
        'The council voted on Tuesday, with Ms. Okafor saying the city "cannot afford another delay."',
    ],
)
def test_participial_clause_names_its_speaker(sentence: str, catalog: Catalog) -> None:
    c = find_claim(_claims(MAYOR + sentence, catalog), "cannot afford another delay")
    assert c.speaker == "Linda Okafor"
    assert c.cue == "saying"


def test_quote_running_over_paragraphs_is_one_claim(catalog: Catalog) -> None:
    body = MAYOR + "“We will not wait for the state,” Ms. Okafor said. “The tunnel is failing now.\n"
    body += "“Every week we wait costs the city money.\n"
    body += "“Nobody in the capital has answered us.”\nThe council adjourned at noon.\n"
    claims = _claims(body, catalog)
    c = find_claim(claims, "The tunnel is failing now")
    assert "Every week we wait costs the city money" in c.text
    assert "Nobody in the capital has answered us" in c.text
    assert c.speaker == "Linda Okafor"
    assert not any("adjourned" in x.text for x in claims)


# --- reported bugs -----------------------------------------------------------------------------------


def test_one_said_sentence_is_one_claim_with_its_speaker(catalog: Catalog) -> None:
    body = "Bus fares will rise in March. "
    body += "The city's transit authority said the increase would cover fuel costs.\n"
    claims = _claims(body, catalog)
    assert len(claims) == 1
    c = claims[0]
    assert c.text == "the increase would cover fuel costs"
    assert c.speaker == "the city's transit authority"
    assert c.speaker_kind == "organisation"


def test_object_of_commended_is_not_the_content(catalog: Catalog) -> None:
    body = MAYOR + 'Ms. Okafor commended Mr. Brandt for "doing a fantastic job" at the port.'
    c = find_claim(_claims(body, catalog), "doing a fantastic job")
    assert "Brandt" not in c.text
    assert c.speaker == "Linda Okafor"
    assert c.resolved_text is not None and c.resolved_text.startswith("[Okafor commended Mr. Brandt for]")


def test_inverted_attribution_in_a_latin1_article(catalog: Catalog) -> None:
    # cp1252 curly quotes read as Latin-1 arrive as U+0093/U+0094; the name starts with "É".
    raw = b"The caf\xe9 reopened on Monday. \x93Prices will rise,\x94 said \xc9mile Dupont, the owner. "
    raw += b"Wages will not keep up, said Pierre Dupont, his brother.\n"
    claims = _claims(raw.decode("latin-1"), catalog)
    first = find_claim(claims, "Prices will rise")
    second = find_claim(claims, "Wages will not keep up")
    assert first is not second
    assert first.speaker == "Émile Dupont"
    assert second.speaker == "Pierre Dupont"


# --- issue 11: who the speaker is, and what the claim refers to -------------------------------------


def test_speaker_aliases_hold_the_articles_forms(catalog: Catalog) -> None:
    body = "Harbour Commissioner Anna Brandt toured the docks on Monday. "
    body += "Ms. Brandt said the cranes were thirty years old. "
    body += "The commissioner said repairs would start in June.\n"
    claims = _claims(body, catalog)
    c = find_claim(claims, "repairs would start in June")
    assert c.speaker == "Anna Brandt"
    for alias in ("Anna Brandt", "Brandt", "Ms. Brandt", "Harbour Commissioner", "the commissioner"):
        assert alias in c.speaker_aliases


@pytest.mark.parametrize(
    ("prefix", "outlet", "person"),
    [
        ("Channel 9’s Maria Ortiz", "Channel 9", "Maria Ortiz"),
        ("Harbour Radio's Tom Reed", "Harbour Radio", "Tom Reed"),
    ],
)
def test_outlet_prefix_is_an_affiliation(prefix: str, outlet: str, person: str, catalog: Catalog) -> None:
    claims = _claims(f"{prefix} reported that the ferry contract had been cancelled.", catalog)
    c = find_claim(claims, "ferry")
    assert c.speaker == person
    assert c.speaker_affiliation == outlet
    assert outlet not in (c.speaker or "")


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        ("Britain's Treasury warned the levy would cost the ports millions.", "Treasury (Britain)"),
        ("The White House said the levy would be reviewed.", "White House"),
        ("The Kremlin said the levy was a provocation.", "Kremlin"),
        (
            "Harbour Freight Corp. cut its forecast. The company said the levy would cost millions.",
            "Harbour Freight Corp",
        ),
    ],
)
def test_organisations_are_speakers_of_their_own_kind(sentence: str, speaker: str, catalog: Catalog) -> None:
    c = find_claim(_claims(sentence, catalog), "levy")
    assert c.speaker == speaker
    assert c.speaker_kind == "organisation"


def test_context_and_resolved_text_for_a_claim_that_refers_back(catalog: Catalog) -> None:
    body = "Harbour Commissioner Anna Brandt met the governor on Thursday about the ferry contract. "
    body += "She said she did not want to reopen it.\n"
    c = find_claim(_claims(body, catalog), "did not want to reopen it")
    assert c.context is not None and "ferry contract" in c.context
    assert c.resolved_text == "[Brandt] did not want to reopen it"


def test_self_contained_claim_needs_no_context(catalog: Catalog) -> None:
    body = MAYOR + "Ms. Okafor said the harbour tunnel would close for repairs in June.\n"
    c = find_claim(_claims(body, catalog), "harbour tunnel would close")
    assert c.context == "Ms. Okafor said the harbour tunnel would close for repairs in June."  # its own
    assert c.resolved_text is None


# --- the cue policy ----------------------------------------------------------------------------------


def test_cue_policy_tracks_statements_not_wants(catalog: Catalog) -> None:
    body = MAYOR + "Ms. Okafor wants to sell the old ferry terminal to a developer.\n"
    assert not any("ferry terminal" in c.text for c in _claims(body, catalog))
    c = find_claim(_claims(body, catalog, cues="all"), "sell the old ferry terminal")
    assert c.speaker == "Linda Okafor"
    assert cue_class("wants") == "stance" and not tracked("stance", "tracked")
    assert all(tracked(k, "tracked") for k in ("statement", "assertion", "belief", "finding", "question"))


def test_a_fronted_poll_owns_the_clause_after_it(catalog: Catalog) -> None:
    """ "In a Harbor Institute poll released Monday, ...": the poll's finding, as "according to" would be."""
    text = (
        "Ferry Fares Go Up\n"
        "In a Harbor Institute poll released Monday, 61 percent of riders rode less after the fare rise."
    )
    claims = extract_claims(text, catalog=catalog)
    assert [(c.speaker_mention, c.text) for c in claims] == [
        ("a Harbor Institute poll", "61 percent of riders rode less after the fare rise")
    ]


def test_a_fronted_report_yields_to_a_speech_verb(catalog: Catalog) -> None:
    """ "In a report, the mayor said ...": the mayor's claim, found once, by the verb."""
    text = "Ferry Fares Go Up\nIn a report on Monday, the mayor said that fares would rise in May."
    claims = extract_claims(text, catalog=catalog)
    assert [(c.speaker_mention, c.text) for c in claims] == [("the mayor", "fares would rise in May")]


def test_a_title_case_headline_says_is_the_named_speakers_claim(catalog: Catalog) -> None:
    """ "Jane Holloway Says Ferry Fares Will Double": a headline's speaker, its verb capitalised."""
    text = "Jane Holloway Says Ferry Fares Will Double\nThe board meets on Monday."
    claims = extract_claims(text, catalog=catalog)
    assert [(c.speaker, c.text) for c in claims] == [("Jane Holloway", "Ferry Fares Will Double")]


def test_said_so_is_no_claim(catalog: Catalog) -> None:
    """ "The board said so on Monday": the words point at a claim made elsewhere."""
    assert extract_claims("Ferry Fares Go Up\nThe board said so on Monday.", catalog=catalog) == []


def test_say_that_would_keeps_the_pronoun(catalog: Catalog) -> None:
    """ "12% say that would be their reaction": "that" is the content's subject, not a complementiser."""
    claims = extract_claims("Ferry Fares Go Up\nMost riders say that would be a scandal.", catalog=catalog)
    assert [c.text for c in claims] == ["that would be a scandal"]


def test_a_headlines_fronted_phrase_is_not_its_speaker(catalog: Catalog) -> None:
    """ "Railing Against Fares, Holloway Vows To Cut Them": Holloway vows, not "Railing Against Fares"."""
    text = "Railing Against Fares, Jane Holloway Vows To Cut Them\nThe board meets on Monday."
    assert [c.speaker for c in extract_claims(text, catalog=catalog)] == ["Jane Holloway"]


def test_a_title_case_headline_before_a_colon_names_no_speaker(catalog: Catalog) -> None:
    """ "Big Win For Riders: Board Holds Off On Fare Rise" is a headline's topic, not a speaker."""
    text = "Big Win For Riders: Board Holds Off On Fare Rise\nThe board meets on Monday."
    assert extract_claims(text, catalog=catalog) == []
