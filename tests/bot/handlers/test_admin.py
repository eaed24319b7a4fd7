"""Admin commands end to end, and every admin command refused to everyone else."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from tests.bot.emulator import Emulator
from tests.bot.harness import GOLD, Person, RunningBot

ARTICLE = (GOLD / "clintons_health.txt").read_bytes()


async def test_ingest_url_refuses_private_addresses_by_default(bot: RunningBot, admin: Person,
                                                               emulator: Emulator) -> None:
    emulator.articles["health.txt"] = ("text/plain", ARTICLE)
    reply = await admin.say(f"/ingest {emulator.url}/articles/health.txt")
    assert "points to a private or local address" in reply.text


async def test_ingest_url_when_private_addresses_are_allowed(
    start_bot: Callable[..., Any], admin: Person, user: Person, emulator: Emulator
) -> None:
    await start_bot(allow_private_urls=True)
    emulator.articles["health.txt"] = ("text/plain", ARTICLE)
    reply = await admin.say(f"/ingest {emulator.url}/articles/health.txt")
    assert reply.text.startswith("Ingested")
    assert "(new)" in reply.text
    assert " new claims, 0 revised" in reply.text
    again = await admin.say(f"/ingest {emulator.url}/articles/health.txt")
    assert "unchanged" in again.text
    # the matcher learned the new claims without a restart
    answer = await user.say("what did Clinton say about health")
    assert "Here is what I found" in answer.text


async def test_ingest_reply_to_a_text_message(bot: RunningBot, admin: Person) -> None:
    checked = await admin.say(ARTICLE.decode())  # pasted without a command: checked as a post first
    assert "this post" in checked.text
    reply = await admin.say("/ingest", reply_to=admin.last)
    assert reply.text.startswith("Ingested")
    assert "new" in reply.text


async def test_ingest_reply_to_a_document_and_document_with_caption(bot: RunningBot, admin: Person,
                                                                     emulator: Emulator) -> None:
    hint = await admin.say(None, document=("health.txt", ARTICLE))
    assert "reply /ingest to it" in hint.text
    reply = await admin.say("/ingest", reply_to=admin.last)
    assert reply.text.startswith("Ingested")
    assert any(method == "getFile" for method, _ in emulator.api.calls)
    tariffs = (GOLD / "wire_tariffs.txt").read_bytes() + b"\nUpdated: added a line to the article.\n"
    captioned = await admin.say(None, document=("tariffs.txt", tariffs), caption="/ingest")
    assert captioned.text.startswith("Ingested")


async def test_ingest_usage_and_bad_input(bot: RunningBot, admin: Person) -> None:
    assert (await admin.say("/ingest")).text.startswith("Usage: /ingest URL")
    assert (await admin.say("/ingest not a url")).text.startswith("Usage: /ingest URL")
    await admin.say("too short")
    assert "too short to be an article" in (await admin.say("/ingest", reply_to=admin.last)).text


async def test_edit_updates_the_claim_its_history_and_the_answers(bot: RunningBot, admin: Person,
                                                                   user: Person) -> None:
    reply = await admin.say("/edit 3 The EU stays ready to negotiate about zeppelins.")
    assert "Edited. Claim #3 is now at revision 2." in reply.text
    history = await user.say("/history 3")
    assert "corrected by Alice (@alice)" in history.text
    assert "was: “the EU remained ready to negotiate”" in history.text
    answer = await user.say("zeppelins")
    assert "#3" in answer.text
    assert (await admin.say("/edit 3")).text.startswith("Usage: /edit ID NEW TEXT")
    assert (await admin.say("/edit 99999 text")).text == "There is no claim #99999."


async def test_verdict(bot: RunningBot, admin: Person, user: Person) -> None:
    reply = await admin.say("/verdict 2 misleading Tariffs are paid by importers, not consumers.")
    assert "Verdict recorded" in reply.text
    assert "⚠️ misleading" in reply.text
    claim = await user.say("/claim 2")
    assert "Verdict: ⚠️ misleading — Tariffs are paid by importers" in claim.text
    bad = await admin.say("/verdict 2 pants-on-fire")
    assert "Unknown verdict 'pants-on-fire'; use one of:" in bad.text
    assert (await admin.say("/verdict 2")).text.startswith("Usage: /verdict ID")


async def test_retract_removes_the_claim_from_answers(bot: RunningBot, admin: Person, user: Person) -> None:
    before = await user.say("what did von der leyen say about tariffs")
    assert "#2" in before.text
    reply = await admin.say("/retract 2 Misattributed quote")
    assert "Retracted" in reply.text
    after = await user.say("what did von der leyen say about tariffs")
    assert "#2 ·" not in after.text
    assert "retracted" in (await user.say("/claim 2")).text
    assert "already retracted" in (await admin.say("/retract 2")).text


async def test_merge(bot: RunningBot, admin: Person, user: Person) -> None:
    reply = await admin.say("/merge 19 into 18")
    assert "Merged #19 into #18" in reply.text
    merged = await user.say("/claim 19")
    assert "merged into #18" in merged.text
    history = await user.say("/history 18")
    assert "absorbed duplicate #19" in history.text
    assert "cannot be merged into itself" in (await admin.say("/merge 18 18")).text
    assert (await admin.say("/merge 18")).text.startswith("Usage: /merge ID INTO_ID")


async def test_stats_counts_questions(bot: RunningBot, admin: Person, user: Person) -> None:
    await user.say("greenland")
    await user.say("what about the moon landing")
    reply = await admin.say("/stats")
    assert "Claims: 27 (27 active)" in reply.text
    assert "Articles: 2" in reply.text
    assert "Questions in the last day: 1 answered, 1 unanswered" in reply.text
    assert "what about the moon landing" in reply.text


@pytest.mark.parametrize("command", ["/ingest https://example.com/a", "/edit 2 hacked", "/verdict 2 false",
                                     "/retract 2", "/merge 2 3", "/stats"])
async def test_non_admins_are_refused_politely_and_logged(
    bot: RunningBot, user: Person, caplog: pytest.LogCaptureFixture, command: str
) -> None:
    caplog.set_level(logging.WARNING, logger="bot")
    reply = await user.say(command)
    name = command.split()[0]
    assert reply.text == f"Sorry, {name} is only for the claimbot team."
    assert any("Refused admin command" in r.getMessage() and str(user.user["id"]) in r.getMessage()
               for r in caplog.records)
    claim = await user.say("/claim 2")
    assert "Revisions: 1" in claim.text  # nothing changed


async def test_non_admin_refused_in_groups_and_with_captions(bot: RunningBot, user: Person,
                                                             emulator: Emulator) -> None:
    emulator.api.add_group(-1002, "Newsroom")
    group = user.in_group(-1002)
    reply = await group.say("/retract@claimbot_test_bot 2")
    assert "only for the claimbot team" in reply.text
    captioned = await user.say(None, document=("a.txt", ARTICLE), caption="/ingest")
    assert "only for the claimbot team" in captioned.text
