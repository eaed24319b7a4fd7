"""Names editors give speakers and topics (issue 23, findings 5 and 7): a name must show visible
letters or digits, invisible and direction-changing characters are dropped, and an alias follows
the rules of a rename: it may not take a name another speaker goes by."""

from __future__ import annotations

import unicodedata

import pytest
from sqlmodel import Session

from claims.catalog import Catalog
from claims.errors import InvalidArgumentError
from claims.store.history import Actor
from claims.store.models import Speaker, SpeakerKind, Topic, TopicKind
from claims.store.names import resolve_speaker
from claims.store.speakers import add_speaker_alias, rename_speaker
from claims.store.topics import rename_topic
from tests.claims.store.test_speakers import mention

pytestmark = pytest.mark.postgres

EDITOR = Actor(id=42, name="Editor")

BLANK = [
    "\u200b\u200b",             # zero-width spaces
    "!!!",                      # punctuation alone
    "\u202e\u202d",             # bidi overrides
    "\u200f\u200e\u2066\u2069",  # direction marks and isolates
    "\u0301\u0308",             # lone combining marks
    "\ufeff\u2060",             # BOM and word joiner
    "... --- ...",
    "\u3000\u00a0",             # wide and no-break spaces
    "🙂🙂",                     # symbols, no letters
]


@pytest.mark.parametrize("name", BLANK)
def test_a_speaker_cannot_be_renamed_to_nothing_visible(session: Session, catalog: Catalog,
                                                        name: str) -> None:
    speaker = mention(session, catalog, "Donald Trump")
    with pytest.raises(InvalidArgumentError, match="letters or digits"):
        rename_speaker(session=session, speaker_id=speaker.id, name=name, actor=EDITOR)
    with pytest.raises(InvalidArgumentError, match="letters or digits"):
        add_speaker_alias(session=session, speaker_id=speaker.id, alias=name, actor=EDITOR)
    assert session.get(Speaker, speaker.id).name == "Donald Trump"


@pytest.mark.parametrize("name", BLANK)
def test_a_topic_cannot_be_renamed_to_nothing_visible(session: Session, name: str) -> None:
    topic = Topic(slug="media-deals", name="Media deals", kind=TopicKind.DISCOVERED.value, key="media deal")
    session.add(topic)
    session.flush()
    with pytest.raises(InvalidArgumentError, match="letters or digits"):
        rename_topic(session=session, topic_id=topic.id, name=name, actor=EDITOR)
    assert session.get(Topic, topic.id).name == "Media deals"


def test_invisible_and_direction_characters_are_dropped_from_names(session: Session,
                                                                    catalog: Catalog) -> None:
    speaker = mention(session, catalog, "Donald Trump")
    change = rename_speaker(session=session, speaker_id=speaker.id,
                            name="\u202eDonald\u200b J. Trump\u2069", actor=EDITOR)
    assert change.name == "Donald J. Trump"
    topic = Topic(slug="media-deals", name="Media deals", kind=TopicKind.DISCOVERED.value, key="media deal")
    session.add(topic)
    session.flush()
    assert rename_topic(session=session, topic_id=topic.id, name="Media\u200f deals 2026",
                        actor=EDITOR).name == "Media deals 2026"


def test_names_in_any_script_with_marks_are_kept(session: Session, catalog: Catalog) -> None:
    speaker = mention(session, catalog, "Volodymyr Zelenskyy")
    for name in ("Володимир Зеленський", "Zelenskyy\u0301", "ゼレンスキー", "G7"):
        change = rename_speaker(session=session, speaker_id=speaker.id, name=name, actor=EDITOR)
        assert change.name == unicodedata.normalize("NFC", name)


def test_an_alias_may_not_take_another_speakers_name(session: Session, catalog: Catalog) -> None:
    trump = mention(session, catalog, "Donald Trump")
    frederiksen = mention(session, catalog, "Mette Frederiksen")
    for alias in ("Donald Trump", "donald  TRUMP", "Mr. Donald Trump"):
        with pytest.raises(InvalidArgumentError, match="already"):
            add_speaker_alias(session=session, speaker_id=frederiksen.id, alias=alias, actor=EDITOR)
    add_speaker_alias(session=session, speaker_id=trump.id, alias="The Donald", actor=EDITOR)
    with pytest.raises(InvalidArgumentError, match="already"):
        add_speaker_alias(session=session, speaker_id=frederiksen.id, alias="the donald", actor=EDITOR)
    with pytest.raises(InvalidArgumentError, match="already"):  # a rename obeys the same rule
        rename_speaker(session=session, speaker_id=frederiksen.id, name="DONALD TRUMP", actor=EDITOR)
    # the speaker's own names stay theirs to add, and a new one is fine
    add_speaker_alias(session=session, speaker_id=trump.id, alias="Donald J. Trump", actor=EDITOR)
    add_speaker_alias(session=session, speaker_id=frederiksen.id, alias="Denmark's PM", actor=EDITOR)
    assert resolve_speaker(session=session, text="Donald Trump").id == trump.id
    assert resolve_speaker(session=session, text="Denmark's PM").id == frederiksen.id
    assert session.get(Speaker, frederiksen.id).kind == SpeakerKind.PERSON.value
