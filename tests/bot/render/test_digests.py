"""Rendering digests and the schedule packed into buttons: pure functions, checked as Telegram would."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import render
from bot.fakeapi.text import MAX_TEXT, parse_html, utf16_len
from bot.render import ButtonKind
from claims.errors import InvalidArgumentError
from claims.follow.digest.model import Digest, DigestGroup, DigestItem
from claims.follow.schedule import Schedule
from claims.follow.targets import Target
from claims.store.models import ScheduleKind, TargetKind
from claims.store.views import SourceView

HOSTILE = "<b>bold</b> & <i>unclosed &amp; </a> <script>x</script> 🇩🇰 \u202e מה"


def item(claim_id: int, text: str = "Greenland is not for sale.", **changes: object) -> DigestItem:
    values: dict[str, object] = dict(
        claim_id=claim_id, speaker="Mette <Frederiksen>", topic="greenland", topic_name="Greenland",
        text=text, new=False, text_before=None, verdict_before=None, verdict=None, retracted=False,
        merged_into=None, merged_from=(), note=None,
        source=SourceView(article_id=1, url="https://news.example/a?x=1&y=\"2\"", title=HOSTILE,
                            outlet="Example <News>", published_at=datetime(2025, 3, 13, 23, 30, tzinfo=UTC)),
        at=datetime(2025, 3, 14, tzinfo=UTC), revision_id=claim_id,
    )
    values.update(changes)
    return DigestItem(**values)  # type: ignore[arg-type]


def digest(*groups: DigestGroup, kind: TargetKind = TargetKind.TOPIC) -> Digest:
    return Digest(subscription_id=1, chat_id=5, target=Target(kind, 3, f"Green{HOSTILE}land"),
                  timezone="Pacific/Auckland", from_revision_id=0, to_revision_id=99, groups=groups)


def visible(parts: list[str]) -> list[str]:
    """What Telegram would show, raising its "can't parse entities" error as the emulator does."""
    return [parse_html(p) for p in parts]


def test_every_kind_of_change_is_shown_and_escaped() -> None:
    items = (
        item(1, HOSTILE, new=True, verdict="false"),
        item(2, "After text", text_before="Before text"),
        item(3, verdict_before="unverified", verdict="misleading", note=f"Because {HOSTILE}"),
        item(4, retracted=True, note="Misattributed"),
        item(5, merged_into=6),
        item(6, merged_from=(5, 7)),
    )
    [text] = visible(render.digest_messages(digest(DigestGroup("greenland", "Greenland", items))))
    assert text.startswith(f"What changed: Green{HOSTILE}land — 6 updates")
    assert "▌" not in text  # one topic's own digest needs no topic heading
    assert f"🆕 New · #1 Mette <Frederiksen>\n“{HOSTILE}”\nVerdict: ❌ false" in text
    assert "✏️ Reworded · #2 Mette <Frederiksen>\nBefore: “Before text”\nAfter: “After text”" in text
    assert "Verdict: ❔ unverified → ⚠️ misleading" in text
    assert f"Why: Because {HOSTILE}" in text
    assert "🚫 Retracted · #4" in text
    assert "Merged into #6 (/claim 6)" in text
    assert "Now also stands for #5, #7" in text
    assert f"Source: {HOSTILE} — Example <News>, 14 Mar 2025" in text  # the subscriber's zone (Auckland)
    assert "/claim 2 · /history 2" in text


def test_speaker_digests_are_grouped_by_topic() -> None:
    groups = (DigestGroup("greenland", "Greenland", (item(2),)), DigestGroup(None, None, (item(1),)))
    d = digest(*groups, kind=TargetKind.SPEAKER)
    [text] = visible(render.digest_messages(d))
    assert text.index("▌Greenland") < text.index("▌No topic")


def test_long_digests_are_cut_between_items_under_the_limit() -> None:
    long = "A sentence that goes on. " * 40
    items = tuple(item(n, long, text_before=long + "x", note=long) for n in range(1, 41))
    parts = render.digest_messages(digest(DigestGroup("greenland", "Greenland", items)))
    shown = visible(parts)
    assert len(parts) > 3
    assert all(utf16_len(text) <= MAX_TEXT for text in shown)
    assert all(utf16_len(p) <= render.SAFE_LIMIT for p in parts)
    assert all(text.startswith(f"What changed: Green{HOSTILE}land (continued)") for text in shown[1:])
    assert sum(text.count("✏️ Reworded") for text in shown) == 40
    assert all(text.count("Before: “") == text.count("/claim ") for text in shown)  # never cut in an item


@given(st.text(max_size=6000))
def test_any_text_renders_as_valid_html_under_the_limit(text: str) -> None:
    d = digest(DigestGroup("greenland", "Greenland", (item(1, text or "x", text_before=text[::-1]),)))
    for shown in visible(render.digest_messages(d)):
        assert utf16_len(shown) <= MAX_TEXT


@pytest.mark.parametrize("schedule", [
    Schedule(), Schedule(ScheduleKind.DAILY, 23, 59), Schedule(ScheduleKind.WEEKLY, 0, 0, 6),
    Schedule(ScheduleKind.WEEKLY, 9, 30, 0), Schedule(ScheduleKind.HOURLY), Schedule(ScheduleKind.INSTANT),
])
def test_schedules_survive_the_trip_through_callback_data(schedule: Schedule) -> None:
    code = render.schedule_code(schedule)
    assert 0 < code < 1_000_000  # fits the codec's six digits
    assert render.schedule_from_code(code) == schedule


@pytest.mark.parametrize("code", [0, 1439, 5 * 7 * 1440, 999_999])
def test_impossible_schedule_codes_are_refused(code: int) -> None:
    with pytest.raises(InvalidArgumentError):
        render.schedule_from_code(code)


def test_follow_and_subscription_buttons_are_signed_and_fit() -> None:
    codec = render.CallbackCodec(b"secret")
    cases = [(ButtonKind.FOLLOW, 10**12 - 1, None), (ButtonKind.PICK_TOPIC, 3, 50_399),
             (ButtonKind.PICK_SPEAKER, 10**12 - 1, 50_399), (ButtonKind.UNSUBSCRIBE, 7, None)]
    for kind, a, b in cases:
        data = codec.encode(kind, a, b)
        assert len(data.encode()) <= 64
        assert codec.decode(data) == render.Button(kind, a, b or 0)
    assert codec.decode("fx:1:AAAAAAAAAA") is None
    assert codec.decode(codec.encode(ButtonKind.FOLLOW, 1).replace("follow:", "pick_t:")) is None
