"""Speakers as learned entities: aliases kept, later mentions resolved, ambiguity kept apart, admin
changes recorded. SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from claims.catalog import Catalog
from claims.errors import InvalidArgumentError, NotFoundError
from claims.ingest.pipeline import ingest_article
from claims.ingest.sources import ArticleInput
from claims.store.aliases import aliases_by_speaker
from claims.store.changes import changes
from claims.store.history import Actor
from claims.store.mentions import SpeakerMention, resolve_mention
from claims.store.models import Article, Claim, Speaker, SpeakerKind, Subscription, TargetKind
from claims.store.nameforms import name_key, parse_name
from claims.store.names import resolve_speaker
from claims.store.speakers import add_speaker_alias, merge_speakers, rename_speaker
from claims.store.transfer import import_claims, read_records
from claims.store.views import list_claims

pytestmark = pytest.mark.postgres

EDITOR = Actor(id=42, name="Editor")


def article(session: Session, text: str) -> Article:
    row = Article(text=text, content_hash=str(hash(text)), url=None)
    session.add(row)
    session.flush()
    return row


def mention(session: Session, catalog: Catalog, name: str, text: str = "", **kwargs) -> Speaker:
    art = article(session, text or name)
    said = SpeakerMention(name=name, article_id=art.id, article_text=art.text, **kwargs)
    found = resolve_mention(session=session, catalog=catalog, mention=said)
    assert found is not None
    return found


# ---------------------------------------------------------------------------- name forms


@pytest.mark.parametrize(("written", "full", "surname", "prefix", "affiliation"), [
    ("Kathy Hochul", "Kathy Hochul", "Hochul", None, None),
    ("Hochul", "Hochul", "Hochul", None, None),
    ("Mayor Okafor", "Okafor", "Okafor", "Mayor", None),
    ("Mrs. Clinton", "Clinton", "Clinton", "Mrs.", None),
    ("Sen. Jeff Merkley", "Jeff Merkley", "Merkley", "Sen.", None),
    ("John D. Podesta", "John D. Podesta", "Podesta", None, None),
    ("Bill de Blasio", "Bill de Blasio", "de Blasio", None, None),
    ("Fox News's Ed Henry", "Ed Henry", "Henry", None, "Fox News"),
    ("CNN’s Jake Tapper", "Jake Tapper", "Tapper", None, "CNN"),
    ("Reuters' Luciana Lopez", "Luciana Lopez", "Lopez", None, "Reuters"),
    ("Tunde Adeyemi Jr.", "Tunde Adeyemi Jr.", "Adeyemi", None, None),
])
def test_names_come_apart_into_their_forms(written, full, surname, prefix, affiliation) -> None:
    form = parse_name(written)
    assert form is not None
    assert (form.full, form.surname, form.prefix, form.affiliation) == (full, surname, prefix, affiliation)


@pytest.mark.parametrize("text", ["a campaign spokesman", "Britain's Treasury", "", "the 2016 race"])
def test_what_is_not_a_persons_name_is_not_parsed_as_one(text: str) -> None:
    assert parse_name(text) is None


def test_name_keys_ignore_case_punctuation_accents_and_the() -> None:
    assert name_key("Mr. TRUMP") == name_key("mr trump")
    assert name_key("Jorge Castañeda") == name_key("Jorge Castaneda")
    assert name_key("The White House") == name_key("white house")


# ---------------------------------------------------------------------------- resolution


def test_surname_and_title_find_the_person_an_earlier_article_named_in_full(session, catalog) -> None:
    hochul = mention(session, catalog, "Kathy Hochul", role="Governor")
    okafor = mention(session, catalog, "Linda Okafor")
    assert mention(session, catalog, "Hochul").id == hochul.id
    assert mention(session, catalog, "Gov. Hochul").id == hochul.id
    assert mention(session, catalog, "Mayor Okafor").id == okafor.id
    assert session.exec(select(Speaker).where(Speaker.name == "Hochul")).first() is None
    assert "Gov. Hochul" in aliases_by_speaker(session=session, speaker_ids=[hochul.id])[hochul.id]


def test_imported_lines_resolve_surnames_and_titles_to_known_people(session, catalog) -> None:
    hochul = mention(session, catalog, "Kathy Hochul")
    okafor = mention(session, catalog, "Linda Okafor")
    session.commit()
    rows = [{"text": "Fares will not rise.", "speaker": "Hochul"},
            {"text": "Every child deserves a park.", "speaker": "Mayor Okafor"}]
    stream = io.StringIO("\n".join(json.dumps(r) for r in rows) + "\n")
    import_claims(read_records(stream), session=session, catalog=catalog)
    session.commit()
    by_text = {c.text: c.speaker_id for c in session.exec(select(Claim))}
    assert by_text == {"Fares will not rise.": hochul.id, "Every child deserves a park.": okafor.id}


def test_two_people_with_one_surname_stay_apart(session, catalog) -> None:
    bill = mention(session, catalog, "Tunde Adeyemi", "“We will win,” Tunde Adeyemi said.")
    chelsea = mention(session, catalog, "Grace Adeyemi", "“We will win,” Grace Adeyemi said.")
    assert bill.id != chelsea.id
    bare = mention(session, catalog, "Adeyemi", "“Nobody expected this,” Adeyemi said.")
    assert bare.id not in {bill.id, chelsea.id}
    assert bare.name == "Adeyemi"
    # The article itself settles it when it names one of them in full.
    named = mention(session, catalog, "Adeyemi", "Grace Adeyemi spoke first. “Thank you,” Adeyemi said.")
    assert named.id == chelsea.id
    # An honorific's gender settles it too, once an article called one of them "Mr.".
    mention(session, catalog, "Mr. Adeyemi", "Tunde Adeyemi arrived. “Hello,” Mr. Adeyemi said.")
    assert mention(session, catalog, "Ms. Adeyemi").id == chelsea.id


def test_a_son_and_his_father_stay_apart(session, catalog) -> None:
    father = mention(session, catalog, "Tunde Adeyemi", "“We will win,” Tunde Adeyemi said.")
    son = mention(session, catalog, "Tunde Adeyemi Jr.", "“It was a joke,” Tunde Adeyemi Jr. said.")
    assert son.id != father.id
    assert son.name == "Tunde Adeyemi Jr."
    assert mention(session, catalog, "Tunde Adeyemi Jr.").id == son.id


def test_a_surname_seen_before_the_full_name_becomes_that_person(session, catalog) -> None:
    first = mention(session, catalog, "Podesta")
    full = mention(session, catalog, "John D. Podesta")
    assert full.id == first.id
    assert full.name == "John D. Podesta"
    assert mention(session, catalog, "John Podesta").id == full.id


def test_a_lone_first_name_is_the_person_the_article_named_in_full(session, catalog) -> None:
    text = ("Amara Whitcombe, whose daughter served in the navy, spoke on Monday. Amara said the "
            "base must stay open. Lutz Okonkwo-Baer disagreed, and Lutz said it costs too much.")
    assert mention(session, catalog, "Amara", text).name == "Amara Whitcombe"
    assert mention(session, catalog, "Lutz", text).name == "Lutz Okonkwo-Baer"
    # no full name to find, a word the article also writes in lower case, an organisation's noun
    assert mention(session, catalog, "Petra", "Petra said so. Petra Ivanova and Petra Novak agreed."
                   ).name == "Petra"
    protest = mention(session, catalog, "Protest", "Protest Leaders said so, after a protest.")
    assert protest.name != "Protest Leaders"
    hargrove = mention(session, catalog, "Hargrove", "The Hargrove Foundation said. Hargrove spoke.")
    assert hargrove.name == "Hargrove"


def test_outlet_prefix_gives_the_person_and_their_affiliation(session, catalog) -> None:
    henry = mention(session, catalog, "Fox News's Ed Henry")
    assert (henry.name, henry.affiliation, henry.kind) == ("Ed Henry", "Fox News", SpeakerKind.PERSON.value)
    assert mention(session, catalog, "Ed Henry").id == henry.id


def test_organisations_and_descriptions(session, catalog) -> None:
    treasury = mention(session, catalog, "Britain's Treasury", kind="organisation")
    assert treasury.kind == SpeakerKind.ORGANISATION.value
    assert mention(session, catalog, "Britain's Treasury", kind="organisation").id == treasury.id
    one = mention(session, catalog, "a campaign spokesman", kind="description")
    other = mention(session, catalog, "a campaign spokesman", kind="description")
    assert one.id != other.id  # two articles, two (probably different) spokesmen
    assert one.kind == other.kind == SpeakerKind.DESCRIPTION.value


def test_ingest_learns_the_article_forms_of_a_seed_speaker(session, catalog) -> None:
    text = ("Talks\n“We have very serious discussions,” President Trump said on Thursday.\n"
            "“It is a nightmare,” Mr. Trump added.\n")
    art = ArticleInput(text=text, url="https://ex.org/t", canonical_url="https://ex.org/t",
                       published_at=datetime(2025, 3, 13, tzinfo=UTC))
    ingest_article(art, session=session, catalog=catalog)
    session.commit()
    [trump] = session.exec(select(Speaker).where(Speaker.name == "Donald Trump")).all()
    aliases = aliases_by_speaker(session=session, speaker_ids=[trump.id])[trump.id]
    assert {"Trump", "Mr. Trump", "President Trump"} <= set(aliases)
    assert {v.speaker for v in list_claims(session=session, speaker="trump")} == {"Donald Trump"}


# ---------------------------------------------------------------------------- admin changes


def test_merge_moves_claims_aliases_and_followers_and_is_logged(session, catalog) -> None:
    mention(session, catalog, "Tunde Adeyemi")
    grace = mention(session, catalog, "Grace Ngozi Adeyemi")
    bare = mention(session, catalog, "Adeyemi")
    session.add(Claim(speaker_id=bare.id, text="We will win.", fingerprint="x"))
    session.add(Subscription(chat_id=7, target_kind=TargetKind.SPEAKER.value, target_id=bare.id))
    session.flush()
    change = merge_speakers(session=session, speaker_id=bare.id, into_id=grace.id, actor=EDITOR)
    session.commit()
    assert session.get(Speaker, bare.id) is None
    [claim] = session.exec(select(Claim)).all()
    assert claim.speaker_id == grace.id and change.claim_ids == (claim.id,)
    sub = session.exec(select(Subscription)).one()
    assert sub.target_id == grace.id
    [logged] = changes(session=session, entity="speaker", entity_id=grace.id)
    assert (logged.action, logged.old_value, logged.admin_name) == ("merge", "Adeyemi", "Editor")
    with pytest.raises(InvalidArgumentError, match="into itself"):
        merge_speakers(session=session, speaker_id=grace.id, into_id=grace.id, actor=EDITOR)


def test_rename_keeps_the_old_name_as_alias_and_alias_is_logged(session, catalog) -> None:
    speaker = mention(session, catalog, "Jon Smith")
    other = mention(session, catalog, "Jane Doe")
    rename_speaker(session=session, speaker_id=speaker.id, name="Jonathan Smith", actor=EDITOR)
    add_speaker_alias(session=session, speaker_id=speaker.id, alias="the budget chief", actor=EDITOR)
    session.commit()
    assert mention(session, catalog, "Jon Smith").id == speaker.id
    assert "the budget chief" in aliases_by_speaker(session=session, speaker_ids=[speaker.id])[speaker.id]
    assert [c.action for c in changes(session=session, entity="speaker", entity_id=speaker.id)] == [
        "rename", "alias"]
    with pytest.raises(InvalidArgumentError, match="already a speaker called 'Jane Doe'"):
        rename_speaker(session=session, speaker_id=speaker.id, name="Jane Doe", actor=EDITOR)
    assert other.name == "Jane Doe"


def test_typed_names_forgive_typos_but_not_other_names(session, catalog) -> None:
    sanders = mention(session, catalog, "Bernard Sandersen")
    assert resolve_speaker(session=session, text="Bernard Sandresen").id == sanders.id
    with pytest.raises(NotFoundError):
        resolve_speaker(session=session, text="Andersen")


def test_an_organisation_never_learns_a_persons_name(session, catalog) -> None:
    sons = mention(session, catalog, "Sons of Trump", kind="organisation",
                   aliases=("Donald Trump", "Trump", "Mr. Trump", "SOT", "Sons"))
    assert set(aliases_by_speaker(session=session, speaker_ids=[sons.id])[sons.id]) == {
        "Sons of Trump", "SOT", "Sons"}
    trump = mention(session, catalog, "Trump")
    assert trump.name == "Donald Trump" and trump.id != sons.id
    assert mention(session, catalog, "Billionaire Donald Trump").id == trump.id
    # A surname-only record made before the seed person was first seen becomes that person.
    bare = mention(session, catalog, "Frederiksen", kind="person")
    assert mention(session, catalog, "Mette Frederiksen").id == bare.id


def test_a_full_name_never_runs_across_a_sentence_or_a_sentence_opener() -> None:
    """ "Hillary Clinton. A Bloomberg poll" and "When PolitiFact" give no full name for a lone word."""
    from claims.store.mentions import _full_name_in

    assert _full_name_in("It backed Hillary Clinton. A Bloomberg poll shows more.", "Bloomberg") is None
    assert _full_name_in("When PolitiFact checked, it agreed.", "PolitiFact") is None
    found = _full_name_in("Linda Okafor spoke. Later Okafor said more.", "Okafor")
    assert found is not None and found.full == "Linda Okafor"
