"""Logs of a session full of hostile input carry no user text (issue 23, finding 4).

Refusals used to be logged at INFO with the user's own arguments inside them; a log is read by more
people, and kept longer, than a question should be. Every line a hostile session leaves at WARNING
or below is checked for the words the users typed (errors, which are bugs, keep their traceback)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.run import configure_logging
from tests.bot.emulator import TOKEN, Emulator
from tests.bot.harness import Person, RunningBot

SECRET = "Zqxvoranth"  # a word no reply or log line would hold unless it came from a user


@pytest.fixture
def verbose_logging() -> Iterator[None]:
    """The bot's own logging set-up at its most talkative (``claimbot run -v``), undone after."""
    names = ("bot", "claims", "httpx", "httpcore", "telegram", "telegram.ext", "apscheduler")
    levels = {name: logging.getLogger(name).level for name in names}
    filters = list(logging.getLogger("telegram.ext").filters)
    formatters = [(h, h.formatter) for h in logging.getLogger().handlers]
    configure_logging(TOKEN, verbose=True)
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    logging.getLogger("telegram.ext").filters[:] = filters
    for handler, formatter in formatters:
        handler.setFormatter(formatter)


def _said(n: int) -> str:
    return f"{SECRET}{n}"


async def test_a_hostile_session_leaves_no_user_text_in_the_logs(
    bot: RunningBot, user: Person, admin: Person, emulator: Emulator, caplog: pytest.LogCaptureFixture,
    verbose_logging: None
) -> None:
    caplog.set_level(logging.DEBUG)  # the root: what claimbot's loggers let through is all kept
    said = iter(range(1000))
    questions = [
        f"/claim {_said(next(said))}",
        f"/history #{_said(next(said))}",
        f"/claims {_said(next(said))}",
        f"/subscribe {_said(next(said))} sometimes",
        f'/subscribe "{_said(next(said))}" fortnightly',
        f"/unsubscribe {_said(next(said))}",
        f"/timezone {_said(next(said))}/Nowhere",
        f"/check {_said(next(said))}",
        f"/ask {_said(next(said))} <b>bold</b> & \u202e",
        f"{_said(next(said))} is it true that the moon is cheese?",
        f"/ingest https://{_said(next(said))}.example/x",  # an admin command, from a reader
        f"/speaker rename {_said(next(said))} to Nobody",
        f"/{_said(next(said))}",
    ]
    for text in questions:
        reply = await user.say(text)
        assert reply.text
    for text in (f"/claim {_said(next(said))}", f"/verdict 1 {_said(next(said))}",
                 f"/speaker rename {_said(next(said))} to x", f"/topic rename {_said(next(said))} to y",
                 f"/unanswered {_said(next(said))}"):
        assert (await admin.say(text)).text
    await user.inline(f"{_said(next(said))} greenland")
    shown = await user.say("/claim 2")
    await user.press(shown, f"h:{_said(next(said))}")
    lines = [(r.levelname, r.name, r.getMessage()) for r in caplog.records if r.levelno <= logging.WARNING]
    assert any("refused" in m for _, _, m in lines)  # refusals are still logged, without their text
    leaks = [line for line in lines if SECRET.lower() in line[2].lower()]
    assert leaks == [], "\n".join(map(str, leaks))
