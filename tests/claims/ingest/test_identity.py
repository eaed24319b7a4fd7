"""Claim identity: statements that differ stay different; true restatements stay one claim."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from claims.canonical import same_wording, wording
from claims.catalog import Catalog
from claims.follow.digest.text import render_text
from claims.follow.subscriptions import subscribe
from claims.follow.targets import target_by_id
from claims.ingest.pipeline import ingest_article
from claims.ingest.sources import ArticleInput
from claims.store.models import Claim, ClaimAppearance, TargetKind
from claims.store.views import claim_history, get_claim
from tests.claims.digest_world import compute_digest

pytestmark = pytest.mark.postgres

WHEN = datetime(2025, 3, 13, 18, 0, tzinfo=UTC)
A_URL = "https://news.example.com/a"
B_URL = "https://wire.example.org/b"


def body(quote: str, who: str = "Mr. Trump") -> str:
    return (
        "Talks on trade continue\n"
        "Officials met in Washington on Thursday as negotiations continued.\n"
        f"“{quote},” {who} said on Thursday.\n"
        "“Greenland is not for sale and never will be,” Mette Frederiksen said in Copenhagen.\n"
    )


def ingest(session: Session, catalog: Catalog, text: str, url: str):
    art = ArticleInput(text=text, url=url, canonical_url=url, title=url.rsplit("/", 1)[-1],
                       published_at=WHEN)
    report = ingest_article(art, session=session, catalog=catalog)
    session.commit()
    return report


def claim_texts(session: Session) -> list[str]:
    return sorted(session.exec(select(Claim.text)).all())


# ---------------------------------------------------------------------------- across articles


@pytest.mark.parametrize(("first", "second"), [
    ("Steel tariffs will rise by 5 percent next year", "Steel tariffs will rise by 50 percent next year"),
    ("The agreement is binding", "The agreement is not binding"),
    ("Steel tariffs will rise next year", "Steel traffic will rise next year"),
    ("The talks in Paris went very well for everyone", "The talks in London went very well for everyone"),
    ("We will send five thousand troops to the border", "We will send six thousand troops to the border"),
    ("The deal was signed on March 13 in the capital", "The deal was signed on March 14 in the capital"),
    ("Russia attacked Ukraine without any warning", "Ukraine attacked Russia without any warning"),
])
def test_statements_that_differ_are_different_claims(session, catalog, first, second) -> None:
    a = ingest(session, catalog, body(first), A_URL)
    b = ingest(session, catalog, body(second), B_URL)
    assert len(b.added) == 1, "the changed statement must be a new claim"
    assert b.added[0] not in a.added
    texts = claim_texts(session)
    assert first in texts and second in texts


@pytest.mark.parametrize(("first", "second", "who"), [
    ("Steel tariffs will rise by 5 percent next year", "Steel tariffs will rise by 5% next year.",
     "Donald Trump"),
    ("The agreement isn't binding", "The agreement is not binding", "Mr. Trump"),
    ("Mr. Putin wants a cease-fire", "Vladimir Putin wants a ceasefire", "Mr. Trump"),
    ("We will send 5,000 troops", "We will send five thousand troops", "President Trump"),
])
def test_restatements_stay_one_claim(session, catalog, first, second, who) -> None:
    a = ingest(session, catalog, body(first), A_URL)
    b = ingest(session, catalog, body(second, who=who), B_URL)
    assert b.added == []
    assert sorted(b.appeared) == sorted(a.added)
    view = get_claim(session=session, claim_id=a.added[0])
    assert {s.url for s in view.sources} == {A_URL, B_URL}


# ---------------------------------------------------------------------------- one article, updated


def test_a_changed_number_in_an_updated_article_is_a_text_revision(session, catalog) -> None:
    first = ingest(session, catalog, body("Steel tariffs will rise by 5 percent next year"), A_URL)
    update = ingest(session, catalog, body("Steel tariffs will rise by 50 percent next year"), A_URL)
    assert update.added == [] and update.removed == []
    (cid,) = update.revised
    assert cid in first.added
    history = claim_history(session=session, claim_id=cid)
    assert [h.change for h in history] == ["created", "text"]
    assert "5 percent" in history[1].old_text and "50 percent" in history[1].text


def test_an_update_that_keeps_one_sentence_and_changes_another_pairs_them_right(session, catalog) -> None:
    two = ("“Steel tariffs will rise by 50 percent next year,” Mr. Trump said.\n"
           "“Steel tariffs will rise by 5 percent next year,” Mr. Trump said again later.\n")
    first = ingest(session, catalog, "Tariffs\nOfficials met in Washington on Thursday.\n" + two, A_URL)
    changed = two.replace("by 50 percent", "by 40 percent")
    update = ingest(session, catalog, "Tariffs\nOfficials met in Washington on Thursday.\n" + changed, A_URL)
    assert len(first.added) == 2
    assert update.added == [] and len(update.revised) == 1 and len(update.unchanged) == 1
    revised = get_claim(session=session, claim_id=update.revised[0])
    assert "40 percent" in revised.text
    assert "50 percent" in claim_history(session=session, claim_id=revised.id)[1].old_text


def test_a_claim_dropped_from_an_updated_article_is_recorded_and_shown(session, catalog) -> None:
    from zoneinfo import ZoneInfo

    from bot.render.claims import history as render_history
    from bot.render.digests import digest_messages

    first = ingest(session, catalog, body("Steel tariffs will rise by 5 percent next year"), A_URL)
    trump = next(c for c in first.added
                 if "tariffs" in get_claim(session=session, claim_id=c).text)
    sub = subscribe(session=session, chat_id=7,
                    target=target_by_id(session=session, kind=TargetKind.CLAIM, target_id=trump),
                    now=WHEN).subscription
    session.commit()
    without = body("x").replace("“x,” Mr. Trump said on Thursday.\n", "")
    update = ingest(session, catalog, without, A_URL)
    assert update.removed == [trump]
    app = session.exec(select(ClaimAppearance).where(ClaimAppearance.claim_id == trump)).one()
    assert app.removed_at is not None and app.removed_in_version == 2

    history = claim_history(session=session, claim_id=trump)
    assert [h.change for h in history] == ["created", "removed"]
    assert history[1].source is not None and history[1].source.url == A_URL
    html = render_history(get_claim(session=session, claim_id=trump), history, ZoneInfo("UTC"))
    assert "no longer in the article" in html

    from claims.store.models import Subscription

    row = session.get(Subscription, sub.id)
    digest = compute_digest(session=session, subscription=row, now=datetime.now(UTC) + timedelta(minutes=1))
    assert digest is not None and digest.items[0].kinds == ("removed",)
    assert "No longer in the article" in "\n".join(digest_messages(digest))
    assert "NO LONGER IN THE ARTICLE" in "\n".join(render_text(digest))

    # the sentence comes back in a later version: the appearance is live again, nothing duplicated
    back = ingest(session, catalog, body("Steel tariffs will rise by 5 percent next year"), A_URL)
    assert back.added == [] and trump in back.appeared
    session.refresh(app)
    assert app.removed_at is None


def test_reingesting_an_update_twice_records_the_removal_once(session, catalog) -> None:
    ingest(session, catalog, body("Steel tariffs will rise by 5 percent next year"), A_URL)
    without = body("x").replace("“x,” Mr. Trump said on Thursday.\n", "")
    assert len(ingest(session, catalog, without, A_URL).removed) == 1
    later = without + "“Trade is good for everybody involved,” Mr. Trump said.\n"
    assert ingest(session, catalog, later, A_URL).removed == []


# ---------------------------------------------------------------------------- properties

WORDS = st.sampled_from(
    ["steel", "tariffs", "will", "rise", "next", "year", "the", "agreement", "is", "binding", "talks",
     "went", "well", "with", "officials", "in", "prices", "exports", "budget", "deficit", "grew",
     "by", "percent", "million", "dollars", "troops", "border"]
)
NUMBERS = st.one_of(st.integers(min_value=0, max_value=10**9), st.decimals(
    min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False))


@st.composite
def sentences(draw: st.DrawFn) -> tuple[list[str], int]:
    """A statement of plain words with one number in it, and the index of that number."""
    words = draw(st.lists(WORDS, min_size=2, max_size=12))
    at = draw(st.integers(min_value=0, max_value=len(words)))
    number = draw(NUMBERS)
    words.insert(at, f"{number:,}" if isinstance(number, int) else str(number))
    return words, at


@given(sentences(), NUMBERS)
def test_property_changing_a_number_makes_a_different_statement(sentence, other) -> None:
    words, at = sentence
    changed = list(words)
    changed[at] = f"{other:,}" if isinstance(other, int) else str(other)
    if float(str(other).replace(",", "")) == float(words[at].replace(",", "")):
        return  # the same value written the same way is not a change
    assert not same_wording(wording(" ".join(words)), wording(" ".join(changed)))


@given(sentences(), st.sampled_from(["not", "no", "never", "without", "n't"]), st.data())
def test_property_adding_a_negation_makes_a_different_statement(sentence, negation, data) -> None:
    words, _ = sentence
    at = data.draw(st.integers(min_value=1, max_value=len(words)))
    negated = list(words)
    if negation == "n't":
        negated[at - 1] = negated[at - 1] + "n't"
    else:
        negated.insert(at, negation)
    assert not same_wording(wording(" ".join(words)), wording(" ".join(negated)))


@given(st.text(min_size=1, max_size=200))
def test_property_identical_text_is_always_the_same_statement(text) -> None:
    assert same_wording(wording(text), wording(text))


@given(sentences())
def test_property_restatements_are_the_same_statement(sentence) -> None:
    words, _ = sentence
    text = " ".join(words)
    restated = f"“{text[0].upper()}{text[1:]}.”"
    assert same_wording(wording(text), wording(restated))


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=1, max_value=999), st.integers(min_value=1, max_value=999))
def test_property_a_number_change_in_another_article_is_a_new_claim(
    sqlite_engine, catalog, before, after
) -> None:
    with Session(sqlite_engine, expire_on_commit=False) as session:
        a = ingest(session, catalog, body(f"Steel tariffs will rise by {before} percent next year"),
                   f"{A_URL}/{before}-{after}")
        b = ingest(session, catalog, body(f"Steel tariffs will rise by {after} percent next year"),
                   f"{B_URL}/{before}-{after}")
        (first,) = [c for c in a.added + a.appeared
                    if "tariffs" in get_claim(session=session, claim_id=c).text]
        (second,) = [c for c in b.added + b.appeared
                     if "tariffs" in get_claim(session=session, claim_id=c).text]
        assert (first == second) is (before == after)
        assert f"by {after} percent" in get_claim(session=session, claim_id=second).text


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Mr. Trump said the talks went well", "Donald Trump said the talks went well", True),
    ("Mr. Trump said the talks went well", "Mr. Biden said the talks went well", False),
    ("Melania Trump said the talks went well", "Donald Trump said the talks went well", False),
    ("The U.S. will pay $5 million", "The US will pay 5 million dollars", True),
    ("The U.S. will pay $5 million", "The U.K. will pay $5 million", False),
    ("It can't work", "It cannot work", True),
    ("a 30-day cease-fire", "a 30-day ceasefire", True),
    ("twenty-five people", "25 people", True),
    ("5.5 troops", "5,5 troops", False),
    ("New York is big", "York is big", False),
])
def test_wording_examples(a, b, same) -> None:
    assert same_wording(wording(a), wording(b)) is same
