"""Hostile and careless input in the domain: clear refusals that change nothing, on both databases."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import Session, select

from claims.catalog import Catalog
from claims.errors import InputError, InvalidArgumentError, NotFoundError
from claims.follow.subscriptions import list_subscriptions, set_timezone, subscribe, unsubscribe
from claims.follow.targets import resolve_target, target_by_id
from claims.ingest.feeds import remove_feed
from claims.ingest.pipeline import ingest_article
from claims.ingest.sources import ArticleInput, decode_document
from claims.search.questions import log_question
from claims.settings import Settings
from claims.store import db
from claims.store.history import Actor, edit_claim, merge_claims, retract_claim, set_verdict
from claims.store.models import Article, Claim, ClaimRevision, QuestionLog, TargetKind, Topic
from claims.store.transfer import import_claims, read_records
from claims.store.views import claim_history, get_claim, get_claims
from claims.times import validate_timezone

pytestmark = pytest.mark.postgres

BODY = (
    "Talks on a truce continue\n"
    "Officials met in Moscow on Thursday as negotiations on a cease-fire continued.\n"
    "“We have very serious discussions going on right now about the cease-fire,” "
    "Mr. Trump said on Thursday.\n"
)
TOO_BIG = 2_147_483_648


def seeded(session: Session, catalog: Catalog) -> int:
    report = ingest_article(ArticleInput(text=BODY, url="https://news.example/a"), session=session,
                            catalog=catalog)
    session.commit()
    return report.added[0]


def counts(session: Session) -> tuple[int, ...]:
    return tuple(session.exec(select(sa.func.count()).select_from(t)).one()
                 for t in (Claim, ClaimRevision, Article, QuestionLog))


# ---------------------------------------------------------------------------- ids out of range


def test_ids_beyond_the_integer_range_are_unknown_claims(session, catalog) -> None:
    cid = seeded(session, catalog)
    admin = Actor(id=1)
    refusals = [
        lambda: get_claim(session=session, claim_id=TOO_BIG),
        lambda: claim_history(session=session, claim_id=TOO_BIG),
        lambda: set_verdict(session=session, claim_id=TOO_BIG, verdict="false", actor=admin),
        lambda: edit_claim(session=session, claim_id=TOO_BIG, text="x", actor=admin),
        lambda: retract_claim(session=session, claim_id=TOO_BIG, actor=admin),
        lambda: merge_claims(session=session, claim_id=TOO_BIG, into_id=cid, actor=admin),
        lambda: merge_claims(session=session, claim_id=cid, into_id=TOO_BIG, actor=admin),
        lambda: target_by_id(session=session, kind=TargetKind.CLAIM, target_id=TOO_BIG),
        lambda: resolve_target(session=session, query=f"claim {TOO_BIG}"),
        lambda: claim_history(session=session, claim_id=-5),
    ]
    for refuse in refusals:
        with pytest.raises(NotFoundError, match=r"There is no claim #-?\d+\."):
            refuse()
    with pytest.raises(NotFoundError, match=f"There is no feed #{TOO_BIG}"):
        remove_feed(session=session, feed_id=TOO_BIG)
    assert [v.id for v in get_claims(session=session, claim_ids=[TOO_BIG, cid])] == [cid]


# ---------------------------------------------------------------------------- NUL characters


def test_nul_characters_are_stripped_from_everything_stored(session, catalog) -> None:
    cid = seeded(session, catalog)
    admin = Actor(id=1, name="Al\x00ice")
    set_verdict(session=session, claim_id=cid, verdict="false", actor=admin, note="Not\x00 so")
    edit_claim(session=session, claim_id=cid, text="A corrected\x00 quote", actor=admin, reason="Ty\x00po")
    log_question(session=session, question="green\x00land?", asker="a1b2", chat_id=1, matches=0,
                 top_claim_id=None)
    doc = ingest_article(ArticleInput(text=BODY.replace("Officials", "Offi\x00cials"),
                                      url="https://news.example/b", title="Ti\x00tle"),
                         session=session, catalog=catalog)
    records = read_records(io.StringIO(json.dumps({"text": "Imported\x00 claim", "speaker": "Jo\x00e"})))
    import_claims(records, session=session, catalog=catalog)
    session.commit()
    claim = get_claim(session=session, claim_id=cid)
    assert claim.text == "A corrected quote" and claim.verdict_note == "Not so"
    reasons = [r.reason for r in claim_history(session=session, claim_id=cid)]
    assert "Typo" in reasons and "Not so" in reasons
    assert session.exec(select(QuestionLog.question)).one() == "greenland?"
    article = session.get(Article, doc.article_id)
    assert article is not None and "\x00" not in article.text and article.title == "Title"
    assert "Imported claim" in session.exec(select(Claim.text)).all()
    admins = session.exec(select(ClaimRevision.admin_name).where(ClaimRevision.admin_name.is_not(None))).all()
    assert admins and all("\x00" not in a for a in admins)


# ---------------------------------------------------------------------------- import lines


@pytest.mark.parametrize(("line", "message"), [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"text": "x", "external_id": ' + "9" * 5000 + "}", "number too long"),
    ('{"text": "A claim", "published_at": "0001-01-01T00:00:00+05:00"}', "outside the dates"),
    ('{"text": "A claim", "published_at": "9999-12-31T23:59:59-05:00"}', "outside the dates"),
])
def test_hostile_import_lines_are_refused_and_import_nothing(session, catalog, line, message) -> None:
    seeded(session, catalog)
    before = counts(session)
    good = json.dumps({"text": "A good line that would be imported"})
    with pytest.raises(InputError, match=message):
        import_claims(read_records(io.StringIO(f"{good}\n{line}\n")), session=session, catalog=catalog)
    session.rollback()
    assert counts(session) == before


def test_a_published_date_at_the_edge_of_the_calendar_in_html_is_ignored() -> None:
    from claims.ingest.sources import _parse_date

    assert _parse_date("0001-01-01T00:00:00+05:00") is None
    assert _parse_date("2025-03-13T18:00:00+01:00") == datetime(2025, 3, 13, 17, 0, tzinfo=UTC)


# ---------------------------------------------------------------------------- documents


def test_a_stray_byte_in_utf8_keeps_the_file_utf8() -> None:
    raw = "“Greenland is not for sale,” she said — and ça va.".encode() + b"\xff" + b" More text."
    text = decode_document(raw, name="File x")
    assert text.startswith("“Greenland") and "ça va" in text and "\ufffd" in text
    assert "â€œ" not in text


def test_a_stray_nul_in_a_text_file_is_dropped_not_refused() -> None:
    assert decode_document(b"Officials said\x00 the talks would continue.", name="File x") == \
        "Officials said the talks would continue."
    with pytest.raises(InputError, match="binary"):
        decode_document("Officials said".encode("utf-16-le"), name="File x")


def test_a_cp1252_file_is_still_read_as_cp1252() -> None:
    raw = "“Greenland is not for sale,” she said — and ça va.".encode("cp1252")
    assert decode_document(raw, name="File x") == "“Greenland is not for sale,” she said — and ça va."


# ---------------------------------------------------------------------------- subscriptions


def test_a_chat_cannot_follow_more_than_its_cap(session, catalog) -> None:
    for n in range(4):
        session.add(Topic(slug=f"topic-{n}", name=f"Topic {n}"))
    session.commit()
    topics = session.exec(select(Topic).order_by(Topic.id)).all()
    targets = [target_by_id(session=session, kind=TargetKind.TOPIC, target_id=t.id) for t in topics]
    for target in targets[:3]:
        subscribe(session=session, chat_id=5, target=target, limit=3)
    session.commit()
    with pytest.raises(InvalidArgumentError, match="CLAIMBOT_MAX_SUBSCRIPTIONS_PER_CHAT"):
        subscribe(session=session, chat_id=5, target=targets[3], limit=3)
    session.rollback()
    assert len(list_subscriptions(session=session, chat_id=5)) == 3
    # changing the schedule of one it already follows is not a new subscription
    subscribe(session=session, chat_id=5, target=targets[0], limit=3)
    unsubscribe(session=session, chat_id=5, target=targets[0])
    subscribe(session=session, chat_id=5, target=targets[3], limit=3)


def test_the_default_cap_is_fifty() -> None:
    assert Settings(_env_file=None).max_subscriptions_per_chat == 50  # type: ignore[call-arg]


# ---------------------------------------------------------------------------- time zones


@pytest.mark.parametrize("name", ["localtime", "Factory", "posixrules", "LOCALTIME", "factory"])
def test_only_iana_zone_names_are_accepted(session, name) -> None:
    with pytest.raises(InvalidArgumentError, match="Unknown time zone"):
        validate_timezone(name)
    with pytest.raises(InvalidArgumentError):
        set_timezone(session=session, chat_id=1, timezone=name)
    with pytest.raises(ValidationError, match="IANA"):
        Settings(timezone=name)
    assert validate_timezone("europe/berlin") == "Europe/Berlin"


# ---------------------------------------------------------------------------- settings and the engine


@pytest.mark.parametrize(("url", "expected"), [
    ("postgres://u@db.example/claims", "postgresql+psycopg://u@db.example/claims"),
    ("postgresql://u@db.example/claims", "postgresql+psycopg://u@db.example/claims"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_urls_are_normalised(url, expected) -> None:
    assert Settings(database_url=url).database_url == expected


@pytest.mark.parametrize("url", ["not a url", "mysql://u@h/db", "postgresql://u@h:notaport/db", ""])
def test_malformed_database_urls_are_one_clear_error(url) -> None:
    with pytest.raises(ValidationError, match=r"database URL|supports sqlite|invalid port"):
        Settings(database_url=url)


def test_sql_errors_never_carry_user_text(engine) -> None:
    with Session(engine) as session:
        session.add(Topic(slug="dup", name="secret user text 1"))
        session.add(Topic(slug="dup", name="secret user text 2"))
        with pytest.raises(sa.exc.DBAPIError) as info:
            session.commit()
    assert "secret user text" not in str(info.value)


def test_a_locked_database_waits_briefly_then_says_so(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'locked.db'}"
    holder = db.make_engine(url)
    db.create_all(holder)
    quick = db.make_engine(url, busy_seconds=0.2)
    with holder.connect() as conn:
        conn.exec_driver_sql("BEGIN EXCLUSIVE")
        with Session(quick) as session:
            session.add(Topic(slug="t", name="T"))
            with pytest.raises(sa.exc.OperationalError, match="locked"):
                session.commit()
        conn.exec_driver_sql("ROLLBACK")
    holder.dispose()
    quick.dispose()
