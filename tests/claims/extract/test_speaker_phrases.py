"""Who a claim is credited to: fragments, appositives, relative clauses, relatives, descriptions.

Every text here is written for the test (issue 21); none comes from PolNeAR or the held-back news.
"""

from __future__ import annotations

import pytest

from claims.catalog import Catalog
from claims.extract.attribution import ExtractedClaim, extract_claims
from tests.claims.extract.found import find_claim

HEAD = "Ferry Fares Go Up Again\n"


def _claims(body: str, catalog: Catalog) -> list[ExtractedClaim]:
    return extract_claims(HEAD + body, catalog=catalog)



_FUNCTION_WORDS = {"who", "which", "that", "and", "with", "the", "to", "of", "in", "often", "further"}


def _no_fragment_speakers(claims: list[ExtractedClaim]) -> None:
    for c in claims:
        if c.speaker:
            words = c.speaker.lower().split()
            assert words[0] not in _FUNCTION_WORDS - {"the"}, c.speaker
            assert words[-1] not in _FUNCTION_WORDS, c.speaker


@pytest.mark.parametrize(
    ("body", "phrase", "speaker"),
    [
        # a relative pronoun is its antecedent's
        (
            '"The fares are a scandal," said Okonjo, who said riders "deserve better than this."',
            "riders",
            "Okonjo",
        ),
        (
            "The levy was backed by Councillor Dara Whitlow, a Liberal who said it would pay for "
            "new boats.",
            "pay for new boats",
            "Dara Whitlow",
        ),
        (
            "The timetable was drafted by a retired harbour pilot who said the winter crossings were "
            "unsafe.",
            "winter crossings were unsafe",
            "a retired harbour pilot",
        ),
        # appositives resolve to the person, with the description as role
        (
            "The ferry workers' union leader, Amara Quist, said the strike would start on Friday.",
            "strike would start",
            "Amara Quist",
        ),
        (
            "Minister of Transport Elio Varga told reporters that the subsidy was safe.",
            "subsidy was safe",
            "Elio Varga",
        ),
        # a surname that ends like an adverb is still a surname
        ('"We will run the boats," Ferris Kelly said.', "run the boats", "Ferris Kelly"),
        # initials inside a name after an inverted verb
        (
            '"We will not raise fares twice," said Peter J. Lindqvist, the operator\'s chairman.',
            "raise fares twice",
            "Peter J. Lindqvist",
        ),
    ],
)
def test_speaker_is_the_person_not_a_fragment(body: str, phrase: str, speaker: str, catalog: Catalog) -> None:
    claims = _claims(body, catalog)
    assert find_claim(claims, phrase).speaker == speaker
    _no_fragment_speakers(claims)


@pytest.mark.parametrize(
    "body",
    [
        '"Nobody rides for fun," my neighbour often said.',
        '"It cannot go on," it further wrote about the company.',
        "Boats are late, going on to say the pier was closed.",
        "The council met twice, which caused delays in the ferry budget, because of storms.",
    ],
)
def test_fragments_never_become_speakers(body: str, catalog: Catalog) -> None:
    _no_fragment_speakers(_claims(body, catalog))


def test_a_son_is_not_his_father(catalog: Catalog) -> None:
    body = (
        "Harold Brennick Jr. joked that his father would buy the ferry line. "
        '"He loves boats," Brennick Jr. said.\n'
        "Harold Brennick said the line was not for sale.\n"
    )
    claims = _claims(body, catalog)
    assert find_claim(claims, "buy the ferry line").speaker == "Harold Brennick Jr."
    assert find_claim(claims, "He loves boats").speaker == "Harold Brennick Jr."
    assert find_claim(claims, "not for sale").speaker == "Harold Brennick"


def test_a_lone_word_of_an_organisation_is_the_organisation(catalog: Catalog) -> None:
    body = (
        "The Harbour Gazette reported that fares would rise by a fifth.\n"
        "The owners had planned the rise for months, the Gazette reported.\n"
    )
    claims = _claims(body, catalog)
    assert {c.speaker for c in claims} == {"Harbour Gazette"}


def test_an_unintroduced_surname_is_a_speaker_and_a_pronoun_referent(catalog: Catalog) -> None:
    body = 'Tavish said the schedule was "a joke."\n"Nobody checks the clocks," he said.\n'
    claims = _claims(body, catalog)
    assert find_claim(claims, "schedule was").speaker == "Tavish"
    assert find_claim(claims, "Nobody checks the clocks").speaker == "Tavish"


def test_a_public_office_description_is_the_person_just_written_about(catalog: Catalog) -> None:
    body = (
        "Senator Mirela Stanic toured the ferry terminal on Monday.\n"
        "The Harbourton senator said the new boats were overdue.\n"
    )
    assert find_claim(_claims(body, catalog), "boats were overdue").speaker == "Mirela Stanic"


def test_a_description_of_someone_new_stays_a_description(catalog: Catalog) -> None:
    body = (
        "Senator Mirela Stanic toured the ferry terminal on Monday. Ferry operator Jonas Pell met her.\n"
        "The senator's critics said the tour was a stunt.\n"
    )
    c = find_claim(_claims(body, catalog), "tour was a stunt")
    assert c.speaker != "Mirela Stanic"
    assert c.speaker != "Jonas Pell"


def test_party_tag_after_a_name_leaves_the_name_as_speaker(catalog: Catalog) -> None:
    """ "Sen. Jane Holloway (R-Texas) told ..." is her claim: the tag is no part of the phrase."""
    claims = _claims("Sen. Jane Holloway (R-Texas) told a reporter on Monday that fares would rise.", catalog)
    assert [(c.speaker, c.text) for c in claims] == [("Jane Holloway", "fares would rise")]


@pytest.mark.parametrize(
    ("body", "mention"),
    [
        ("In the days after the vote, Holloway's campaign said the count was wrong.", "Holloway's campaign"),
        ("People with knowledge of the talks said the deal was close.", "People with knowledge of the talks"),
        ("Harbor defenders today argue that the fares were fair.", "Harbor defenders"),
    ],
)
def test_unnamed_groups_and_an_owners_campaign_are_speakers(
    body: str, mention: str, catalog: Catalog
) -> None:
    """A plural noun phrase or a name's campaign before a speech verb names who spoke, unnamed."""
    claims = _claims(body, catalog)
    assert [c.speaker_mention for c in claims] == [mention]


def test_a_coordinated_speech_verb_shares_the_clause_subject(catalog: Catalog) -> None:
    """ "One of the riders, Jane Holloway, 70, had paid twice and said ...": her claim."""
    body = "One of the riders, Jane Holloway, 70, had paid twice and said the fares were unfair."
    claims = _claims(body, catalog)
    assert [(c.speaker, c.text) for c in claims] == [("Jane Holloway", "the fares were unfair")]


def test_a_lone_word_of_an_outlets_name_is_the_whole_name(catalog: Catalog) -> None:
    """ "The Harbor Times reported ... The Times said": the Harbor Times, never "Times"."""
    body = "The Harbor Times reported the fare plan on Monday.\nThe Times said the fares would rise in May."
    claims = _claims(body, catalog)
    assert {c.speaker for c in claims} == {"Harbor Times"}


def test_an_outlet_named_only_by_its_last_word_keeps_its_article(catalog: Catalog) -> None:
    claims = _claims("The Times said the fares would rise in May.", catalog)
    assert [c.speaker for c in claims] == ["The Times"]


@pytest.mark.parametrize(
    "body",
    [
        "Others say the fares are just a rough patch.",
        "Some said the ferry would be late again.",
        "A few minutes later they said the ferry would be late.",
    ],
)
def test_a_lone_quantifier_or_a_clause_is_no_speaker(body: str, catalog: Catalog) -> None:
    """ "Others", "some" or "a few minutes later they" name nobody an editor could file a claim under."""
    assert [c.speaker for c in _claims(body, catalog) if c.speaker] == []


def test_a_title_case_headline_is_not_a_name(catalog: Catalog) -> None:
    """ "The Unhappy Voyage Of Jane Holloway": the headline's last words may name her; the rest does not."""
    text = "The Unhappy Voyage Of Jane Holloway\nJane Holloway told friends that the fares were too high."
    claims = extract_claims(text, catalog=catalog)
    assert [c.speaker for c in claims] == ["Jane Holloway"]


def test_a_discourse_marker_is_no_part_of_a_speaker(catalog: Catalog) -> None:
    claims = _claims("Even ferry captains warned on Tuesday that the fares would drive riders away.", catalog)
    assert [c.speaker_mention for c in claims] == ["ferry captains"]


def test_who_after_a_thing_of_a_name_is_the_named_person(catalog: Catalog) -> None:
    """ "the tone of Holloway, who has called ...": "who" is Holloway, not "the tone"."""
    body = "Nobody echoed the tone of Jane Holloway, who has called the fare plan a scandal."
    assert [c.speaker for c in _claims(body, catalog)] == ["Jane Holloway"]


def test_a_verb_phrase_is_no_speaker(catalog: Catalog) -> None:
    body = "The fares were reviewed by panels that uncovered facts, found fault and made useful changes."
    assert [c.speaker for c in _claims(body, catalog) if c.speaker] == []


def test_a_name_and_its_verb_is_no_speaker(catalog: Catalog) -> None:
    """ "Holloway highlighted polls that show ...": the polls are her evidence, not a speaker."""
    body = "Holloway highlighted polls that show her winning the fare vote by ten points."
    assert [c.speaker_mention for c in _claims(body, catalog)] == []


def test_a_quote_inside_a_quote_belongs_to_the_inner_speaker(catalog: Catalog) -> None:
    """ “Holloway told me, ‘We will never raise fares,’ and I believed her,” Okafor said."""
    body = (
        "Mayor Jane Holloway met the union on Monday.\n"
        "“Holloway told me, ‘We will never raise fares,’ and I believed her,” Sam Okafor said."
    )
    claims = _claims(body, catalog)
    assert ("Jane Holloway", "We will never raise fares") in [(c.speaker, c.text) for c in claims]
    assert any(c.speaker == "Sam Okafor" for c in claims)


@pytest.mark.parametrize(
    ("body", "speaker"),
    [
        ("On Monday, HFB said it was raising the fares.", "HFB"),
        ("The fares will double in May, the BBC reported.", "BBC"),
        ("“Fares must fall,” said Sen. Jane Holloway, a Democrat.", "Jane Holloway"),
    ],
)
def test_initials_and_an_abbreviated_title_name_the_speaker(
    body: str, speaker: str, catalog: Catalog
) -> None:
    """An organisation known by its initials speaks; "said Sen. Jane Holloway" is Holloway."""
    assert [c.speaker for c in _claims(body, catalog)] == [speaker]


@pytest.mark.parametrize(
    ("body", "mention"),
    [
        ("Staff for the Harbor Committee said the fares would rise.", "Staff for the Harbor Committee"),
        ("A person familiar with the talks says fares will rise.", "A person familiar with the talks"),
        ("Riders who have used the ferry for years said the fares were too high.", "Riders"),
    ],
)
def test_a_head_noun_with_its_modifiers_is_the_speaker(
    body: str, mention: str, catalog: Catalog
) -> None:
    """A group or person described by a prepositional phrase or a restrictive relative clause."""
    assert [c.speaker_mention for c in _claims(body, catalog)] == [mention]


def test_a_prepositional_phrase_is_no_speaker(catalog: Catalog) -> None:
    """ "In recent years, riders have begun to complain": "In recent years" names nobody."""
    claims = _claims("In recent years, riders have begun to say the fares are too high.", catalog)
    assert all(not (c.speaker or "").lower().startswith("in ") for c in claims)
