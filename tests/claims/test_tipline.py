"""The tipline's domain: kinds of messages, statements in posts, links, unanswered groups,
pseudonymous askers (and their migration), inline pages and the weekly digest's once-a-week claim."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr
from sqlalchemy.engine import Engine

from claims.catalog import Catalog
from claims.errors import InvalidArgumentError
from claims.ingest.sources import load_file
from claims.search.documents import Match
from claims.service import ClaimService
from claims.settings import Settings
from claims.store import db
from claims.store.models import utcnow
from claims.tipline.askers import asker_key, asker_salt
from claims.tipline.links import clean_url, find_urls, link_key, url_variants
from claims.tipline.posts import MessageKind, kind_of, select_matches, statements_in
from claims.tipline.unanswered import unanswered_groups

GOLD = Path(__file__).resolve().parent / "gold"
TARIFFS = "https://x.example/tariffs"


@pytest.fixture
def stocked(service: ClaimService) -> ClaimService:
    service.ingest(load_file(GOLD / "wire_tariffs.txt", canonical_url=TARIFFS))
    service.ingest(load_file(GOLD / "interview_frederiksen.txt", canonical_url="https://x.example/f"))
    return service


# ---------------------------------------------------------------------------- kinds and statements


@pytest.mark.parametrize(("text", "forwarded", "kind"), [
    ("what did Trump say about Greenland?", False, MessageKind.QUESTION),
    ("what did Trump say about Greenland?", True, MessageKind.POST),
    ("Greenland is for sale. " * 15, False, MessageKind.POST),
    ("is this true? https://news.example/a", False, MessageKind.LINK),
    ("https://news.example/a", True, MessageKind.LINK),
    ("Read the whole story about the tariffs and what the Commission plans next https://news.example/a",
     False, MessageKind.POST),
])
def test_kind_of(text: str, forwarded: bool, kind: MessageKind) -> None:
    assert kind_of(text, forwarded=forwarded, min_chars=280) is kind


def test_statements_are_extracted_claims_and_plain_sentences(catalog: Catalog) -> None:
    post = ("BREAKING: Danish Prime Minister Mette Frederiksen said that Greenland is not for sale.\n"
            "The EU will put tariffs of 50% on all American cars next week. Wow.\n"
            "https://t.me/somechannel/12")
    found = statements_in(post, catalog=catalog)
    assert found[0].speaker == "Mette Frederiksen"
    assert "Greenland is not for sale" in found[0].text
    assert found[0].query.startswith("Mette Frederiksen: ")
    assert found[1].speaker is None
    assert found[1].text == "The EU will put tariffs of 50% on all American cars next week."
    assert len(found) == 2  # "Wow." asserts nothing; the link is not a statement


def test_select_matches_keeps_the_best_and_a_close_second_above_the_floor() -> None:
    def ms(*scores: float) -> list[Match]:
        return [Match(n, s, "") for n, s in enumerate(scores, 1)]

    assert [m.claim_id for m in select_matches(ms(0.9, 0.8), min_score=0.74)] == [1, 2]
    assert [m.claim_id for m in select_matches(ms(0.9, 0.7), min_score=0.5)] == [1]
    assert select_matches(ms(0.7, 0.69), min_score=0.74) == []
    assert select_matches([], min_score=0.0) == []


def test_statements_are_capped_and_never_empty(catalog: Catalog) -> None:
    many = " ".join(f"Claim number {n} says the sky is green today." for n in range(40))
    assert len(statements_in(many, catalog=catalog)) == 15
    assert [s.text for s in statements_in("fake!!", catalog=catalog)] == ["fake!!"]


# ---------------------------------------------------------------------------- links


def test_find_urls_strips_punctuation_and_tracking() -> None:
    text = "See (https://www.Example.com/story/?utm_source=tw&id=4#top), then www.other.org/a. Not: http://x"
    assert find_urls(text) == ["https://www.example.com/story/?id=4", "https://www.other.org/a"]
    assert clean_url("ftp://example.com/a") is None


_paths = st.lists(st.text("abcxyz019-", min_size=1, max_size=6), min_size=1, max_size=3).map("/".join)


@given(path=_paths, scheme=st.sampled_from(["http", "https"]), www=st.booleans(), slash=st.booleans(),
       tracking=st.booleans(), fragment=st.booleans())
def test_link_key_ignores_how_a_link_was_spelled(path: str, scheme: str, www: bool, slash: bool,
                                                 tracking: bool, fragment: bool) -> None:
    plain = f"https://news.example/{path}?id=7"
    spelled = (f"{scheme}://{'www.' if www else ''}news.example/{path}{'/' if slash else ''}?id=7"
               f"{'&utm_medium=social&fbclid=abc' if tracking else ''}{'#comments' if fragment else ''}")
    assert link_key(spelled) == link_key(plain)
    assert f"https://news.example/{path}?id=7" in url_variants(spelled)


def test_links_tracked_by_any_spelling_and_unknown_ones_counted(stocked: ClaimService) -> None:
    known = stocked.check_message("https://www.x.example/tariffs/?utm_source=x", kind=MessageKind.LINK)
    (link,) = known.links
    assert link.tracked is not None
    from_article = [v for v in stocked.claims() if any(s.url == TARIFFS for s in v.sources)]
    assert link.tracked.total == len(from_article) > 3
    assert len(link.tracked.claims) == min(10, len(from_article))
    assert link.link_id is None
    first = stocked.check_message("https://unknown.example/a?fbclid=1", kind=MessageKind.LINK)
    again = stocked.check_message("http://www.unknown.example/a/", kind=MessageKind.LINK)
    assert first.links[0].link_id == again.links[0].link_id
    team = stocked.unanswered(7)
    assert [(v.url, v.reports) for v in team.links] == [("https://unknown.example/a", 2)]


# ---------------------------------------------------------------------------- posts


def test_post_finds_tracked_claims_per_statement_and_logs_it(stocked: ClaimService) -> None:
    post = ("Ursula von der Leyen said “Tariffs are taxes, bad for business and consumers.” "
            "Also the moon is made of cheese, NASA admits.")
    result = stocked.check_message(post, kind=MessageKind.POST, user_id=5, chat_id=5)
    tracked = [c for c in result.statements if c.found]
    assert len(tracked) == 1
    assert tracked[0].found[0][1].speaker == "Ursula von der Leyen"
    assert "moon" in result.untracked[0].statement.text
    assert stocked.stats().questions.answered == 1  # a post that found claims is answered
    nothing = stocked.check_message("Drinking seawater cures the flu. Doctors hide it from you.",
                                    kind=MessageKind.POST, user_id=6)
    assert nothing.found == ()
    groups = stocked.unanswered(1).unanswered.groups
    assert [(g.kind, g.asked) for g in groups] == [("post", 1)]


# ---------------------------------------------------------------------------- unanswered


def test_unanswered_groups_similar_questions_counts_people_and_handles(stocked: ClaimService) -> None:
    moon = "is it true that the moon landing was faked"
    asked = [(1, moon), (1, moon), (2, "was the moon landing faked?"), (3, "Moon landing FAKED??"),
             (2, "who painted the mona lisa"), (4, "what did Frederiksen say about Greenland")]
    for user, question in asked:
        stocked.ask(question, user_id=user)
    team = stocked.unanswered(7)
    landing, lisa = team.unanswered.groups
    assert (landing.asked, landing.askers) == (4, 3)
    assert landing.question == moon
    assert set(landing.variants) == {"was the moon landing faked?", "Moon landing FAKED??"}
    assert (lisa.asked, lisa.askers, lisa.question) == (1, 1, "who painted the mona lisa")
    assert team.unanswered.questions == 5
    assert stocked.mark_handled(landing.anchor, days=7) == 4
    assert stocked.mark_handled(landing.anchor, days=7) == 0
    left = stocked.unanswered(7).unanswered.groups
    assert [g.question for g in left] == ["who painted the mona lisa"]
    with pytest.raises(InvalidArgumentError, match="between 1 and 365"):
        stocked.unanswered(0)


def test_unanswered_window(stocked: ClaimService) -> None:
    stocked.ask("who painted the mona lisa", user_id=1)
    with stocked.session() as session:
        assert unanswered_groups(session=session, since=utcnow() + timedelta(seconds=5)).groups == ()


# ---------------------------------------------------------------------------- askers


def test_askers_are_salted_hashes_from_the_salt_or_the_token() -> None:
    with_salt = Settings(asker_salt=SecretStr("pepper"), telegram_token=SecretStr("1:" + "a" * 35))
    from_token = Settings(telegram_token=SecretStr("1:" + "a" * 35))
    other_token = Settings(telegram_token=SecretStr("1:" + "b" * 35))
    salts = [asker_salt(s) for s in (with_salt, from_token, other_token)]
    assert None not in salts
    assert len(set(salts)) == 3
    assert asker_salt(Settings(asker_salt=SecretStr("  "))) is None
    key = asker_key(123456789, salts[0] or b"")
    assert key == asker_key(123456789, salts[0] or b"") != asker_key(123456789, salts[1] or b"")
    assert "123456789" not in key
    assert len(key) == 32


def test_migration_pseudonymises_logged_user_ids_keeping_counts(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    db.upgrade(engine, "0002")
    rows = [(7, 7, "a"), (7, 7, "b"), (8, -1001, "c"), (None, None, "d")]
    with engine.begin() as conn:
        for user, chat, question in rows:
            conn.execute(sa.text("insert into questionlog (asked_at, user_id, chat_id, question, matches) "
                                 "values (:at, :u, :c, :q, 0)"),
                         {"at": utcnow(), "u": user, "c": chat, "q": question})
    salt = asker_salt(Settings(asker_salt=SecretStr("pepper")))
    assert salt is not None
    db.upgrade(engine, asker_salt=salt)
    with engine.connect() as conn:
        query = "select asker, chat_id, kind, question from questionlog order by id"
        got = conn.execute(sa.text(query)).all()
        columns = [c["name"] for c in sa.inspect(conn).get_columns("questionlog")]
    engine.dispose()
    assert "user_id" not in columns
    assert [tuple(r) for r in got] == [(asker_key(7, salt), None, "question", "a"),
                                       (asker_key(7, salt), None, "question", "b"),
                                       (asker_key(8, salt), -1001, "question", "c"),
                                       (None, None, "question", "d")]


def test_service_logs_pseudonyms_and_only_group_chats(service: ClaimService, engine: Engine) -> None:
    service.ask("who painted the mona lisa", user_id=42, chat_id=42)
    service.ask("who painted the mona lisa", user_id=42, chat_id=-100123)
    with engine.connect() as conn:
        got = conn.execute(sa.text("select asker, chat_id from questionlog order by id")).all()
    assert [r[1] for r in got] == [None, -100123]
    assert got[0][0] == got[1][0] == service.asker(42)


# ---------------------------------------------------------------------------- inline and the digest


def test_inline_pages_stop_and_are_not_logged(stocked: ClaimService) -> None:
    first = stocked.inline("tariffs", per_page=2)
    assert len(first.claims) == 2
    assert first.next_offset == "1"
    second = stocked.inline("tariffs", offset=first.next_offset, per_page=2)
    assert not {v.id for v in first.claims} & {v.id for v in second.claims}
    assert stocked.inline("tariffs", offset="99").claims == ()
    assert stocked.inline("tariffs", offset="junk", per_page=2).claims == first.claims
    assert stocked.stats().questions.answered == 0


def test_weekly_digest_is_claimed_once_per_week(stocked: ClaimService) -> None:
    stocked.ask("who painted the mona lisa", user_id=1)
    now = utcnow()
    team = stocked.weekly_digest(now)
    assert team is not None
    assert team.unanswered.groups[0].question == "who painted the mona lisa"
    assert stocked.weekly_digest(now + timedelta(hours=1)) is None
    assert stocked.weekly_digest(now + timedelta(days=7)) is not None
