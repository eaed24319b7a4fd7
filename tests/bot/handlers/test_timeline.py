"""/timeline, /changes, /unflag and "has X changed his mind on Y?" through the emulator (issue 25):
the seed's world, with two dated articles in which Putin's stated position on a cease-fire moves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from claims.ingest.sources import ArticleInput
from claims.samples import SAMPLES_DIR
from claims.service import ClaimService
from claims.settings import Settings
from tests.bot.emulator import Emulator
from tests.bot.harness import Person, RunningBot, button

SERIES = Path(__file__).resolve().parents[2] / "claims" / "series"


@pytest.fixture
async def bot(start_bot: Callable[..., Any], make_settings: Callable[..., Settings]) -> RunningBot:
    """The seeded store plus January's "no hurry" and March's "ready now", ingested before start."""
    service = ClaimService.open(make_settings())
    articles = [(SERIES / "putin_ceasefire_january.txt", "2025-01-14"),
                (SERIES / "putin_ceasefire_march.txt", "2025-03-13"),
                (SAMPLES_DIR / "ceasefire_terms.txt", "2025-03-14")]
    for path, day in articles:
        text = path.read_text(encoding="utf-8")
        url = f"https://series.example/{path.name}"
        service.ingest(ArticleInput(text=text, url=url, canonical_url=url, title=text.splitlines()[0],
                                    outlet="series",
                                    published_at=datetime.fromisoformat(day).replace(tzinfo=UTC)))
    service.close()
    return await start_bot()


async def test_timeline_shows_both_in_order_and_flags_the_second(bot: RunningBot, user: Person) -> None:
    reply = await user.say("/timeline Putin cease-fire")
    text = reply.text
    assert text.startswith("Vladimir Putin over time on")
    january = text.index("no hurry for a cease-fire")
    march = text.index("ready for a cease-fire now")
    assert january < march
    assert "14 Jan 2025" in text and "13 Mar 2025" in text
    assert "changed position" in text[march:]
    assert "changed position" not in text[:january]


async def test_claim_card_shows_the_earlier_claim(bot: RunningBot, user: Person) -> None:
    changes = await user.say("/changes")
    assert "Changes of position" in changes.text and "ready for a cease-fire now" in changes.text
    claim_id = changes.text.split("/claim ")[1].split()[0]
    card = await user.say(f"/claim {claim_id}")
    assert "Changed position." in card.text and "Earlier, on 14 Jan 2025" in card.text
    assert "no hurry" in card.text


async def test_question_about_a_change_of_mind_is_answered_with_the_timeline(bot: RunningBot,
                                                                              user: Person) -> None:
    reply = await user.say("Has Putin changed his mind on the cease-fire?")
    assert reply.text.startswith("Vladimir Putin over time")
    assert "changed position" in reply.text


async def test_admin_clears_a_wrong_flag_and_history_records_it(bot: RunningBot, user: Person,
                                                                admin: Person) -> None:
    changes = await admin.say("/changes")
    claim_id = changes.text.split("/claim ")[1].split()[0]
    refused = await user.say(f"/unflag {claim_id}")
    assert "Cleared" not in refused.text
    done = await admin.say(f"/unflag {claim_id} conditions still attached")
    assert done.text.startswith(f"Cleared the changed-position flag on claim #{claim_id}")
    left = (await user.say("/changes")).text  # the article's own report of the shift stays flagged
    assert f"/claim {claim_id}\n" not in left and f"/claim {claim_id}" in changes.text
    history = await user.say(f"/history {claim_id}")
    assert "conditions still attached" in history.text
    again = await admin.say(f"/unflag {claim_id}")
    assert "already cleared" in again.text


async def test_timeline_pages_with_buttons_and_bad_input_gets_a_sentence(bot: RunningBot, user: Person,
                                                                         emulator: Emulator) -> None:
    usage = await user.say("/timeline")
    assert usage.text.startswith("Usage: /timeline SPEAKER")
    unknown = await user.say("/timeline Qwertyuiop Zxcvbnm")
    assert "Qwertyuiop" in unknown.text
    first = await user.say("/timeline Putin")
    later = button(first, "Later ▶")
    await user.press(first, later)
    edited = emulator.api.sent[-1]
    assert edited.method == "editMessageText" and edited.message_id == first.message_id
    assert "(showing 11–" in edited.text
    assert button(edited, "◀ Earlier")
