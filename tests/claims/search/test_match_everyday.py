"""Everyday questions: earned typo corrections, guesses that never answer alone, honest "why",
the answer gate, "not sure" offers, and speakers asked about by their role."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from claims.catalog import Catalog, load_catalog
from claims.search.documents import ClaimDoc
from claims.search.features import RAW_FEATURES, slipped
from claims.search.gate import Gate
from claims.search.match import Matcher
from claims.search.spelling import bare_contraction, earned_distance, misspelt_stop_word, typing_distance
from claims.search.synonyms import load_synonyms

ROOT = Path(__file__).resolve().parents[3]
WHEN = datetime(2016, 5, 1, tzinfo=UTC)

CLAIMS = [
    ClaimDoc(1, "The market rally will continue because the balance sheets of banks are strong.",
             speaker="Jamie Dimon", published_at=WHEN, title="Wall Street rallies"),
    ClaimDoc(2, "He is dogged, resilient and never gives up on a negotiation.",
             speaker="Paul Manafort", published_at=WHEN, title="Trump campaign reshuffle"),
    ClaimDoc(3, "New tariffs on Chinese steel will protect American jobs.",
             speaker="Donald Trump", published_at=WHEN, title="Trade"),
    ClaimDoc(4, "Tariffs raise prices for every family.", speaker="Hillary Clinton",
             published_at=WHEN, title="Trade"),
    ClaimDoc(5, "The ferry service to the island will resume next month.", speaker="Andrew Cuomo",
             published_at=WHEN, context="The ferry broke down last week.", title="Ferry news"),
    ClaimDoc(6, "Polls show the race is tightening in Ohio.", speaker="Chris Christie",
             speaker_roles=("New Jersey governor", "the governor"), published_at=WHEN, title="Polls"),
    ClaimDoc(7, "Polls are wrong about the race and will be proven wrong.", speaker="Donald Trump",
             published_at=WHEN, title="Polls"),
    ClaimDoc(8, "He would not consider putting Democrats in his cabinet.", speaker="Donald Trump",
             published_at=WHEN, title="Cabinet"),
    ClaimDoc(9, "Carrying the balance of the budget to next year carries risks.", speaker="Paul Ryan",
             published_at=WHEN, title="Budget"),
    ClaimDoc(10, "The carriers carry too many passengers.", speaker="Carrie Lam",
             published_at=WHEN, title="Carriers"),
]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(ROOT / "config")


@pytest.fixture(scope="module")
def matcher(catalog: Catalog) -> Matcher:
    return Matcher.build(CLAIMS, catalog=catalog, synonyms=load_synonyms(ROOT / "config"))


def test_corrections_must_be_earned() -> None:
    assert typing_distance("tarrif", "tariff") == 1  # a moved doubled letter is one slip
    assert earned_distance("tarrif", "tariff", 1) == 1
    assert earned_distance("grape", "grope", 50) is None  # a short word with a letter replaced
    assert earned_distance("calori", "carri", 50) is None  # two edits is too far for six letters
    assert earned_distance("grenland", "greenland", 1) == 1


@pytest.mark.parametrize("question", ["how many calories are in a banana", "Can dogs eat grapes?",
                                      "calories banana"])
def test_unknown_everyday_words_are_not_rewritten_into_stored_ones(matcher: Matcher, question: str) -> None:
    query = matcher._parser.parse(question, matcher._index)
    assert query.notes == []  # nothing "read as" something else
    assert matcher.ask(question) == []


def test_a_claim_reached_only_through_a_correction_is_offered_not_answered(matcher: Matcher) -> None:
    assert matcher.ask("tarrifs") == []
    offered = [m.claim_id for m in matcher.related("tarrifs")]
    assert offered and set(offered) <= {3, 4}
    answered = matcher.ask("chinese steel tarrifs")  # a typed word grounds the corrected one
    assert answered and answered[0].claim_id == 3


def test_why_names_only_words_the_claim_contains(matcher: Matcher) -> None:
    for question in ("ferry broke down", "tariffs on chinese steel", "is the race tightening in ohio"):
        for match in [*matcher.ask(question), *matcher.related(question)]:
            text = next(c.text for c in CLAIMS if c.id == match.claim_id).casefold()
            terms = match.why.split("terms: ", 1)[1].split(";")[0] if "terms: " in match.why else ""
            for term in filter(None, (t.strip().split("~")[0] for t in terms.split(","))):
                assert term[:4] in text, (question, match.why)


def test_gate_vetoes_claims_missing_what_the_question_names() -> None:
    raw = np.zeros((2, len(RAW_FEATURES)))
    raw[:, RAW_FEATURES.index("cover_text")] = (0.9, 0.3)
    raw[:, RAW_FEATURES.index("unmatched_rare")] = (0.2, 1.0)
    gate = Gate(min_cover=0.5, max_unmatched=0.9, max_names_missed=1.0)
    assert gate.passes(raw).tolist() == [True, False]
    raw[:, RAW_FEATURES.index("question_len")] = np.log1p(30)  # pasted text: the calibrator judges
    assert gate.passes(raw).tolist() == [True, True]


def test_near_miss_about_someone_else_in_the_cabinet_is_not_answered(matcher: Matcher) -> None:
    assert matcher.ask("Did Trump say he'd put Sarah Palin in his cabinet?") == []


def test_speaker_asked_about_by_role(matcher: Matcher) -> None:
    got = matcher.ask("what did the governor say about the polls?")
    assert got and got[0].claim_id == 6
    got = matcher.ask("what did Trump say about the polls?")
    assert got and got[0].claim_id == 7


SPOKEN = [
    ClaimDoc(21, "The wall will be paid for by Mexico, one way or another.", speaker="Donald Trump",
             published_at=WHEN, title="Border"),
    ClaimDoc(22, "We need the bigger office space for the staff we expect to hire this summer.",
             speaker="Steven Cheung", speaker_roles=("campaign spokesman",), published_at=WHEN,
             title="Campaign moves to a bigger office"),
    ClaimDoc(23, "Government efforts to combat climate change will destroy our economy.",
             speaker="Miami", published_at=WHEN, title="Rubio on climate"),  # a wrong speaker
    ClaimDoc(24, "Florida needs more funding for its beaches.", speaker="Marco Rubio",
             published_at=WHEN, title="Beaches"),
    ClaimDoc(25, "We were tremendously wrong not to have confronted him from the beginning.",
             speaker="Jeb Bush", published_at=WHEN, title="Regrets"),
]


@pytest.fixture(scope="module")
def spoken(catalog: Catalog) -> Matcher:
    return Matcher.build([*CLAIMS, *SPOKEN], catalog=catalog, synonyms=load_synonyms(ROOT / "config"))


def _found(matcher: Matcher, question: str) -> list[int]:
    """What a reader sees first: the answers, else the "not sure" offers."""
    return [m.claim_id for m in matcher.ask(question) or matcher.related(question)]


def test_the_speaker_asked_about_is_a_preference_not_a_filter(spoken: Matcher) -> None:
    # "Trump's spokesman" names Trump, but none of Trump's claims is about the office
    question = "what did trump's campaign spokesman say about the bigger office space"
    passes = list(spoken.passes(question))
    assert passes[0].query.subject is not None and passes[-1].query.subject is None
    assert _found(spoken, question)[:1] == [22]
    # extraction gave Rubio's words to "Miami": the wider pass still finds them
    rubio = "Did Rubio say efforts against climate change will destroy our economy?"
    assert _found(spoken, rubio)[:1] == [23]


def test_when_the_speaker_answers_only_they_do(spoken: Matcher) -> None:
    answers = spoken.ask("What did Trump say about tariffs?")
    assert answers and {m.claim_id for m in answers} <= {3}  # Clinton's tariff claim is not theirs
    assert len(list(spoken.passes("What did Trump say about tariffs?"))) == 2  # judged, not used


def test_contractions_typed_without_apostrophes_are_function_words() -> None:
    assert all(bare_contraction(w) for w in ("dont", "youll", "wasnt", "im", "theyre", "cant"))
    assert not any(bare_contraction(w) for w in ("bent", "smart", "trumps", "art"))


def test_an_unknown_word_one_slip_from_the_claims_own_is_not_missing(spoken: Matcher) -> None:
    assert slipped("tremendusli", ["tremend", "wrong"])  # a misspelt ending escapes the stemmer
    assert slipped("constituion", ["constitution"]) and not slipped("calori", ["carri", "balanc"])
    question = "we were tremendusly wrong not to confront him"
    found = next(spoken.passes(question))
    top = found.claim_ids.index(25)
    unmatched = found.raw[top, RAW_FEATURES.index("unmatched_rare")]
    assert found.missing is not None and found.missing[top] < unmatched
    assert [m.claim_id for m in spoken.ask(question)][:1] == [25]


def test_slips_hidden_by_the_stemmer_and_misspelt_long_function_words() -> None:
    assert slipped("constituion", ["constitut"])  # the slip is in the stem, the ending unstemmed
    assert slipped("adminstration", ["administr"]) and slipped("smrts", ["smart"])
    assert not slipped("constable", ["constitut"]) and not slipped("peaceful", ["peas"])
    assert all(misspelt_stop_word(w) for w in ("becuase", "somthing"))
    assert not any(misspelt_stop_word(w) for w in ("ballot", "nothing", "government", "therapist"))


def test_a_word_typed_wrong_is_not_missing_even_when_we_guessed_another(spoken: Matcher) -> None:
    """"tremendusly" is corrected to nothing the claim has, and still not missing from it."""
    found = next(iter(spoken.passes("jeb bush tremendusly wrong not confronting him")))
    assert found.missing is not None
    assert found.missing[found.claim_ids.index(25)] == 0.0


def test_a_group_written_with_capitals_is_not_a_surname(catalog: Catalog) -> None:
    docs = [ClaimDoc(31, "We will block the nominee until the election.", speaker="Republican senators",
                     published_at=WHEN, title="Court fight"),
            ClaimDoc(32, "Next week's five primaries are a path to victory.", speaker="Bernie Sanders",
                     speaker_roles=("the Vermont senator",), published_at=WHEN, title="Primaries")]
    matcher = Matcher.build(docs, catalog=catalog, synonyms=load_synonyms(ROOT / "config"))
    question = "what did the vermont senator say about the primaries"
    assert next(iter(matcher.passes(question))).query.subject != "republican senators"
    assert [m.claim_id for m in matcher.ask(question)][:1] == [32]


def test_a_first_name_is_not_missing_when_the_surname_names_one_person(catalog: Catalog) -> None:
    docs = [ClaimDoc(41, "Rutte is doing a fantastic job at NATO.", speaker="Donald Trump",
                     published_at=WHEN, title="Trump on NATO"),
            ClaimDoc(42, "Clinton has the toughest skin of anyone I know.", speaker="Donald Trump",
                     published_at=WHEN, title="Trump on Clinton"),
            ClaimDoc(43, "We will win in November.", speaker="Hillary Clinton", published_at=WHEN),
            ClaimDoc(44, "I campaigned hard for my wife.", speaker="Bill Clinton", published_at=WHEN),
            ClaimDoc(45, "The alliance is stronger than ever.", speaker="Mark Rutte", published_at=WHEN)]
    matcher = Matcher.build(docs, catalog=catalog, synonyms=load_synonyms(ROOT / "config"))

    def lacks(question: str, claim_id: int) -> float:
        found = next(iter(matcher.passes(question)))
        assert found.missing is not None
        return float(found.missing[found.claim_ids.index(claim_id)])

    assert lacks("Did Trump say Mark Rutte is doing a fantastic job?", 41) == 0.0
    # two Clintons in the store: a claim about "Clinton" may be about the other one
    assert lacks("Did Trump say Bill Clinton has the toughest skin?", 42) > 0.0


def test_offers_reuse_the_candidates_the_answer_just_judged_until_the_index_changes(catalog: Catalog) -> None:
    matcher = Matcher.build(CLAIMS, catalog=catalog, synonyms=load_synonyms(ROOT / "config"))
    question = "will the ferry to the island resume"
    first = list(matcher.passes(question))
    assert first and all(a is b for a, b in zip(first, matcher.passes(question), strict=True))
    assert next(iter(matcher.passes("tariffs on steel"))) is not first[0]  # another question
    matcher.upsert(ClaimDoc(11, "The island ferry is cancelled for good.", speaker="Andrew Cuomo",
                            published_at=WHEN, title="Ferry news"))
    again = next(iter(matcher.passes(question)))
    assert again is not first[0] and 11 in again.claim_ids
