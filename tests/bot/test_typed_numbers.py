"""Numbers users type are ASCII digits (issue 23, finding 2).

``"²".isdigit()`` is true and ``int("²")`` raises, while ``int("١٢")`` is 12: Unicode digits either
crashed a handler or were read as a number the user probably did not mean. Every place a user types
a number now takes ASCII digits only and answers anything else as it answers other bad input."""

from __future__ import annotations

import pytest

from tests.bot.harness import Person, RunningBot

NOT_ASCII = ["²", "١٢", "１２", "٣", "𝟙"]


@pytest.mark.parametrize("offset", NOT_ASCII)
async def test_an_inline_offset_in_other_digits_gets_the_first_page(bot: RunningBot, user: Person,
                                                                   offset: str) -> None:
    first = await user.inline("")
    odd = await user.inline("", offset=offset, within=5)
    assert [r["id"] for r in odd["results"]] == [r["id"] for r in first["results"]]


@pytest.mark.parametrize("days", NOT_ASCII)
async def test_unanswered_with_other_digits_gets_its_usage(bot: RunningBot, admin: Person, days: str) -> None:
    reply = await admin.say(f"/unanswered {days}", within=5)
    assert "/unanswered" in reply.text and "Unanswered in the last" not in reply.text


@pytest.mark.parametrize("text", ["/claim ١٢", "/claim #２", "/history ٢", "/start claim_٢"])
async def test_claim_numbers_in_other_digits_are_not_claim_numbers(bot: RunningBot, user: Person,
                                                                   text: str) -> None:
    reply = await user.say(text, within=5)
    assert not reply.text.startswith("Claim #"), reply.text
