"""Topics of the open world: weak keywords, several topics per claim, discovery from recurring
phrases, topics by activity, admins' rename/merge/hide, and the forgiving topic names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session, select

from claims.catalog import Catalog
from claims.errors import InvalidArgumentError, NotFoundError
from claims.extract.topics import classifier_for
from claims.ingest.phrases import key_phrases, name_words, phrase_key
from claims.ingest.pipeline import ingest_article
from claims.ingest.sources import ArticleInput
from claims.ingest.subjects import same_subject
from claims.store.changes import changes
from claims.store.history import Actor
from claims.store.models import Claim, Subscription, TargetKind, Topic, TopicKind
from claims.store.names import AmbiguousNameError, resolve_topic
from claims.store.topics import hide_topic, merge_topics, rename_topic, topics_by_activity
from claims.store.views import claim_to_json, get_claim, list_claims

pytestmark = pytest.mark.postgres

EDITOR = Actor(id=5, name="Desk")
WHEN = datetime(2025, 3, 13, tzinfo=UTC)

MERGER = [
    "Merger review\n“The Time Warner merger will hurt consumers,” Senator Ann Baker said on Monday.\n",
    "Antitrust\n“We will block the Time Warner deal if we must,” Paul Ortiz said on Tuesday.\n",
    "Media deal\n“Time Warner shareholders will vote next month,” Nora Lee said on Wednesday.\n",
]


def ingest(session: Session, catalog: Catalog, text: str, n: int, when: datetime = WHEN):
    url = f"https://news.example.org/{n}"
    art = ArticleInput(text=text, url=url, canonical_url=url, title=text.split("\n", 1)[0], published_at=when)
    report = ingest_article(art, session=session, catalog=catalog)
    session.commit()
    return report


# ---------------------------------------------------------------------------- configured topics


def test_a_weak_keyword_alone_files_nothing(catalog: Catalog) -> None:
    topics = classifier_for(catalog)
    hacking = topics.assign("Russia hacked the party's emails to help one candidate.",
                            article="Election news. The campaign said Russia was behind the hack.")
    assert "ukraine-russia-war" not in hacking.slugs
    war = topics.assign("Russia must withdraw its troops.",
                        article="Kyiv was shelled. Ukraine asked for air defence; Ukrainian towns burn.")
    assert war.main == "ukraine-russia-war"
    # One mention of Ukraine in an election story does not make it a story about the war.
    election = ("The campaign enters its last week. Voters in swing states see ads about the election. "
                "A former adviser once worked in Ukraine.")
    assert topics.assign("Russia hacked the emails.", article=election).main == "elections"


def test_a_claim_has_every_topic_its_sentence_names(catalog: Catalog) -> None:
    got = classifier_for(catalog).assign(
        "he did not want to drag NATO into that",
        "Mr. Rutte deflected the question of taking Greenland, saying he did not want to drag NATO "
        "into that.")
    assert got.main == "nato"
    assert got.further == ("greenland",)


def test_a_claim_naming_nothing_inherits_what_its_article_is_clearly_about(catalog: Catalog) -> None:
    article = "Tariffs rose. New tariffs on steel and tariffs on cars follow. Trade war fears grow."
    topics = classifier_for(catalog)
    assert topics.assign("We have to do it.", article=article).main == "tariffs"
    assert topics.assign("We have to do it.", article=article, from_article=False).main is None
    assert topics.classify("We have to do it.") == catalog.fallback_topic


# ---------------------------------------------------------------------------- discovery


def test_key_phrases_take_names_and_noun_phrases_not_sentence_openers(catalog: Catalog) -> None:
    phrases = key_phrases("But Time Warner said the Justice Department wants tax returns. The deal is done.",
                          catalog.discovery)
    assert {"time warner", "justice department", "tax return"} <= set(phrases)
    assert not {"but", "the", "but time warner"} & set(phrases)
    assert phrase_key("Tax Returns") == phrase_key("tax return")


def test_key_phrases_are_noun_phrases_not_verbs_dates_or_roles(catalog: Catalog) -> None:
    rules = catalog.discovery
    phrases = set(key_phrases(
        "Clinton expressed concerns about the hacked emails. They want to spend money. Barack Obama on "
        "Tuesday met a 13-year-old girl. FBI Director James Comey spoke, and the Justice Department and "
        "FBI declined. The foreign minister disagreed. Republicans raised questions; she remained silent. "
        "After the Monday night debate, police shot an unarmed black man.", rules))
    assert {"hacked email", "fbi", "justice department", "barack obama"} <= phrases
    assert not {k for k in phrases if k.split()[0] in {"expressed", "spend", "raised", "remained"}}
    assert not {k for k in phrases if {"tuesday", "year", "director", "night", "unarmed"} & set(k.split())}
    assert "foreign minister" not in phrases and "justice department and fbi" not in phrases


@pytest.mark.parametrize(("a", "b", "same"), [
    ("fbi", "F-B-I", True), ("fbi", "department and fbi", True), ("fbi", "fbi director james comey", True),
    ("private server", "private email server", True), ("dnc", "democratic national committee", True),
    ("justice department", "department of justice", True), ("tax returns", "tax return", True),
    ("crutcher", "terence crutcher", True),
    ("new york", "new york university", False), ("virginia", "west virginia", False),
    ("tax returns", "tax code", False), ("russia", "russian hacking", False),
])
def test_same_subject_is_spelling_initials_or_a_sub_phrase_with_one_head(a: str, b: str, same: bool) -> None:
    assert same_subject(a, b) is same
    assert same_subject(b, a) is same


def test_name_words_are_the_words_an_article_uses_for_people() -> None:
    text = ("Tulsa police shot Terence Crutcher on Friday. Crutcher was unarmed, Mr. Pagliano said. "
            "West Virginia and Virginia voted; New York watched.")
    assert name_words(text) == {"terence", "crutcher", "pagliano"}


@given(st.text(max_size=300))
def test_key_phrases_never_fail_and_keys_are_normalised(text: str) -> None:
    from claims.catalog import load_catalog
    from claims.settings import DEFAULT_CONFIG_DIR

    rules = load_catalog(DEFAULT_CONFIG_DIR).discovery
    for key in key_phrases(text, rules):
        assert key == key.casefold().strip() and 3 <= len(key) <= 200


def test_a_phrase_recurring_across_articles_becomes_a_topic_for_all_its_claims(session, catalog) -> None:
    for n, text in enumerate(MERGER):
        ingest(session, catalog, text, n)
    topic = session.exec(select(Topic).where(Topic.kind == TopicKind.DISCOVERED.value,
                                             Topic.key == "time warner")).one()
    assert (topic.name, topic.slug) == ("Time Warner", "time-warner")
    views = list_claims(session=session, topic="time warner")
    assert len(views) == 3
    assert all(v.topic == "time-warner" or ("time-warner", "Time Warner") in v.other_topics for v in views)
    # Names of speakers are followed as speakers, not discovered as topics.
    assert session.exec(select(Topic).where(Topic.key == "ann baker")).first() is None
    for n, name in enumerate(("Bernie Sanders", "Sanders", "Sanders")):  # a seed speaker, yet unheard
        ingest(session, catalog, f"Rally\n“{name} will lose Iowa,” Rita Gomez said on Monday.\n", 20 + n)
    assert session.exec(select(Topic).where(Topic.key.in_(["sanders", "bernie sanders"]))).first() is None
    # A new article with the phrase is filed under it straight away.
    ingest(session, catalog, "Deal\n“Time Warner is worth more,” Rita Gomez said.\n", 9)
    assert len(list_claims(session=session, topic="Time Warner")) == 4


def test_topics_by_activity_and_admin_changes(session, catalog) -> None:
    for n, text in enumerate(MERGER):
        ingest(session, catalog, text, n, WHEN)
    ingest(session, catalog, "Greenland\n“Greenland is not for sale,” Mette Frederiksen said.\n", 10,
           WHEN + timedelta(days=40))
    warner = session.exec(select(Topic).where(Topic.key == "time warner")).one()
    listed = topics_by_activity(session=session, now=datetime.now(UTC))
    assert listed[0].claims >= 1 and {t.slug for t in listed} >= {"time-warner", "greenland"}

    rename_topic(session=session, topic_id=warner.id, name="Time Warner merger", actor=EDITOR)
    assert resolve_topic(session=session, text="warner merger").id == warner.id
    with pytest.raises(InvalidArgumentError, match="configured topic"):
        rename_topic(session=session, topic_id=resolve_topic(session=session, text="greenland").id,
                     name="Kalaallit Nunaat", actor=EDITOR)

    session.add(Subscription(chat_id=3, target_kind=TargetKind.TOPIC.value, target_id=warner.id))
    economy = Topic(slug="media-deals", name="Media deals", kind=TopicKind.DISCOVERED.value, key="media deal")
    session.add(economy)
    session.flush()
    moved = merge_topics(session=session, topic_id=warner.id, into_id=economy.id, actor=EDITOR)
    session.commit()
    assert len(moved.claim_ids) == 3
    assert len(list_claims(session=session, topic="media deals")) == 3
    assert session.exec(select(Subscription)).one().target_id == economy.id
    with pytest.raises(NotFoundError):
        resolve_topic(session=session, text="Time Warner merger")
    # The merged phrase now files new claims under the survivor.
    ingest(session, catalog, "Deal\n“Time Warner is worth more,” Rita Gomez said.\n", 11)
    assert len(list_claims(session=session, topic="media deals")) == 4

    hide_topic(session=session, topic_id=economy.id, actor=EDITOR)
    session.commit()
    assert "media-deals" not in {t.slug for t in topics_by_activity(session=session)}
    assert [c.action for c in changes(session=session, entity="topic")] == ["rename", "merge", "hide"]
    assert all(c.admin_name == "Desk" for c in changes(session=session, entity="topic"))


# ---------------------------------------------------------------------------- names and context


def test_topic_names_resolve_forgivingly(session, catalog) -> None:
    ingest(session, catalog, "Talks\n“A cease-fire in Ukraine is close,” Mark Rutte said.\n"
                             "“Russia's invasion of Ukraine must end,” Mark Rutte added.\n", 1)
    for typed, slug in [("ukraine", "ukraine-russia-war"), ("cease fire", "ceasefire"),
                        ("Cease-Fire", "ceasefire"), ("ceasfire", "ceasefire"),
                        ("Ukraine-Russia war", "ukraine-russia-war")]:
        assert resolve_topic(session=session, text=typed).slug == slug, typed
    with pytest.raises(NotFoundError, match="no topic called 'quantum physics'"):
        list_claims(session=session, topic="quantum physics")


def test_ambiguous_partial_names_offer_choices(session) -> None:
    session.add(Topic(slug="trade-war", name="Trade war"))
    session.add(Topic(slug="trade-deals", name="Trade deals"))
    session.flush()
    with pytest.raises(AmbiguousNameError) as caught:
        resolve_topic(session=session, text="trade")
    assert {c.label for c in caught.value.choices} == {"Trade war", "Trade deals"}


def test_claims_keep_their_context_and_json_shows_it(session, catalog) -> None:
    text = ("Greenland\nMr. Rutte deflected the question of the United States taking Greenland, "
            "saying he did not want to “drag NATO into that.”\n")
    report = ingest(session, catalog, text, 1)
    claim = next(session.get(Claim, cid) for cid in report.added
                 if "drag NATO" in session.get(Claim, cid).text)
    view = get_claim(session=session, claim_id=claim.id)
    assert view.context is not None and "Greenland" in view.context
    shown = claim_to_json(view)
    assert shown["context"] == view.context
    assert set(shown["topics"]) >= {"nato", "greenland"}


def test_recent_activity_counts_claims_by_publication_date(session, catalog) -> None:
    """An archive ingested today is not today's news: "recent" follows when articles were published."""
    now = datetime.now(UTC)
    for n, text in enumerate(MERGER):
        ingest(session, catalog, text, n, now - timedelta(days=400))
    ingest(session, catalog, "Deal\n“Time Warner is worth more,” Rita Gomez said.\n", 9,
           now - timedelta(days=2))
    warner = next(t for t in topics_by_activity(session=session, now=now) if t.slug == "time-warner")
    assert (warner.claims, warner.recent_claims) == (4, 1)
    assert warner.last_activity is not None and abs(warner.last_activity - (now - timedelta(days=2))) < \
        timedelta(minutes=1)
    old = topics_by_activity(session=session, now=now - timedelta(days=390))
    assert next(t for t in old if t.slug == "time-warner").recent_claims == 3


EMAILS = [
    "Server\n“Her private email server was a mistake,” Senator Ann Baker said on Monday. "
    "Mr. Pagliano set it up.\n",
    "Hearing\n“The private email server put secrets at risk,” Paul Ortiz said on Tuesday. "
    "Mr. Pagliano stayed silent.\n“Pagliano knows the truth,” Paul Ortiz added.\n",
    "Inquiry\n“A private email server is no crime,” Nora Lee said on Wednesday. "
    "“Pagliano did his job,” Nora Lee said.\n",
]


def test_twins_and_lone_names_do_not_become_topics(session, catalog) -> None:
    for n, text in enumerate(EMAILS):
        ingest(session, catalog, text, n)
    server = session.exec(select(Topic).where(Topic.key == "private email server")).one()
    assert session.exec(select(Topic).where(Topic.key == "pagliano", Topic.hidden == False)).first() is None  # noqa: E712
    for n, word in enumerate(("reckless", "careless", "a scandal")):  # a shorter spelling joins the topic
        ingest(session, catalog, f"Servers {n}\n“Her private server was {word},” Rita Gomez said.\n", 10 + n)
    visible = session.exec(select(Topic).where(Topic.kind == TopicKind.DISCOVERED.value,
                                               Topic.hidden == False)).all()  # noqa: E712
    assert "private server" not in {t.key for t in visible}
    filed = {v.text for v in list_claims(session=session, topic=server.name)}
    assert sum("private server" in t for t in filed) == 3
    assert sum("private email server" in t for t in filed) == 3


def test_an_article_subject_files_the_claims_that_do_not_name_it(session, catalog) -> None:
    for n, text in enumerate(MERGER):
        ingest(session, catalog, text, n)
    report = ingest(session, catalog, (
        "Merger talks\n“Time Warner is worth more than they offer,” Rita Gomez said.\n"
        "“The Time Warner board will decide,” Paul Ortiz said.\n"
        "“We are not going to stop,” Nora Lee said.\n"), 5)
    views = [get_claim(session=session, claim_id=cid) for cid in report.added]
    quiet = next(v for v in views if "not going to stop" in v.text)
    assert quiet.topic == "time-warner" or ("time-warner", "Time Warner") in quiet.other_topics


def test_an_earlier_articles_quotes_join_a_subject_that_became_a_topic_later(session, catalog) -> None:
    """The order articles arrive in does not decide where a quote is filed."""
    first = ingest(session, catalog, (
        "Merger talks\n“Time Warner is worth more than they offer,” Rita Gomez said.\n"
        "“The Time Warner board will decide,” Paul Ortiz said.\n"
        "“We are not going to stop,” Nora Lee said.\n"), 5)
    quiet_id = next(cid for cid in first.added
                    if "not going to stop" in get_claim(session=session, claim_id=cid).text)
    assert get_claim(session=session, claim_id=quiet_id).topic != "time-warner"  # no such topic yet
    for n, text in enumerate(MERGER):
        ingest(session, catalog, text, n)
    quiet = get_claim(session=session, claim_id=quiet_id)
    assert quiet.topic == "time-warner" or ("time-warner", "Time Warner") in quiet.other_topics


def test_a_configured_topic_needs_more_than_one_loose_mention(catalog: Catalog) -> None:
    topics = classifier_for(catalog)
    sentence = "Recalling the peace talks of 1972, he said peace was at hand."
    filler = " ".join(f"Voters in county {n} turned out for the election." for n in range(20))
    once = f"{filler} {sentence} {filler}"
    assert "ceasefire" not in topics.assign("peace was at hand", sentence, article=once).slugs
    twice = f"The truce held. {sentence} Both sides kept to the cease-fire."
    assert topics.assign("peace was at hand", sentence, article=twice).main == "ceasefire"
    # An article mentioning NATO three times in sixty sentences is not about NATO.
    passing = " ".join(["NATO allies met."] * 3 + ["Voters went to the polls today."] * 57)
    assert topics.article_topic(passing) != "nato"
    assert topics.article_topic(" ".join(["NATO allies met in The Hague."] * 5)) == "nato"
