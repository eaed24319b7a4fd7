"""``claimbot chat``: try the bot offline, in a terminal, with no Telegram account or token.

The console builds the very same Application as ``claimbot run`` (``build_application``) and gives
it an in-process Bot API (``bot.fakeapi``) through PTB's request layer, so every reply is checked
the way Telegram would check it. You play a user who is also an admin, on a fresh database seeded
with the sample articles shipped in ``claims/samples`` (or, with ``--use-database``, on the
configured one, seeded only if it is empty).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from typing import IO

from pydantic import SecretStr
from telegram import Update

from bot.app import build_application
from bot.context import ClaimApp
from bot.fakeapi.api import FakeBotApi
from bot.fakeapi.methods import Sent
from bot.fakeapi.request import InProcessRequest
from bot.render import html_to_plain
from claims.errors import InputError
from claims.normalize import ascii_number
from claims.samples import Sample, samples
from claims.settings import Settings
from claims.wording import count

CONSOLE_TOKEN = "1000001:console-offline-token-not-a-real-one-0"
CONSOLE_USER_ID = 1001
FORWARDED_FROM = {"id": -1000000000123, "type": "channel", "title": "A channel"}
HELP = """Type a question or a command (/help lists them). Console commands:
  :N           press button N of the last message that has buttons
  :file PATH   send a file (then ':reply /ingest' ingests it)
  :reply TEXT  send TEXT as a reply to your previous message
  :forward TEXT   send TEXT as a post forwarded from a channel (the tipline checks it)
  :inline QUERY   type @bot QUERY in another chat: the inline results, and the first one's message
  :quit        leave (Ctrl-D works too)"""


def run_console(settings: Settings, *, use_database: bool = False, stdin: IO[str] | None = None,
                stdout: IO[str] | None = None) -> int:
    """Run the console until end of input; returns the exit status."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    with tempfile.TemporaryDirectory(prefix="claimbot-chat-") as tmp:
        update: dict[str, object] = {
            "telegram_token": SecretStr(CONSOLE_TOKEN),
            "telegram_api_url": "http://bot-api.invalid",
            "admin_ids": settings.admin_ids | {CONSOLE_USER_ID},
        }
        if not use_database:
            update["database_url"] = f"sqlite:///{Path(tmp) / 'chat.db'}"
        console = Console(settings.model_copy(update=update), stdin, stdout)
        return asyncio.run(console.run())


class Console:
    def __init__(self, settings: Settings, stdin: IO[str], stdout: IO[str]) -> None:
        self.settings = settings
        self.stdin = stdin
        self.stdout = stdout
        self.api = FakeBotApi(CONSOLE_TOKEN, username="claimbot_console_bot")
        self.user = self.api.add_user(CONSOLE_USER_ID, "You", username="you")
        self.last_own: dict[str, object] | None = None
        self.last_buttons: list[tuple[Sent, str]] = []
        self.shown = 0  # messages shown so far: digests sent in the background appear with the next reply

    def say(self, text: str = "") -> None:
        print(text, file=self.stdout, flush=True)

    async def run(self) -> int:
        """Seed, start the Application, converse until end of input, and stop cleanly even when
        the output is gone (``claimbot chat | head``): the ``BrokenPipeError`` is raised again only
        after the Application has stopped, for ``main`` to end quietly."""
        app = build_application(self.settings, request=InProcessRequest(self.api), rate_limiter=False)
        self.say(self._seed(app))
        assert app.post_init is not None
        assert app.post_shutdown is not None
        try:
            async with app:
                await app.post_init(app)  # run_polling would call it; started by hand, we do
                await app.start()
                try:
                    await self._converse(app)
                finally:
                    await app.stop()
        finally:
            await app.post_shutdown(app)  # stops digest delivery, as run_polling would
        return 0

    async def _converse(self, app: ClaimApp) -> None:
        self.say(f"Chatting offline with @{app.bot.username}. You are an admin here.\n{HELP}\n")
        while True:
            if self.stdin.isatty():
                print("you> ", end="", file=self.stdout, flush=True)
            line = await asyncio.to_thread(self.stdin.readline)
            if not line:
                return
            line = line.strip()
            if line in {":q", ":quit", ":exit"}:
                return
            if line:
                await self._handle(app, line)

    def _seed(self, app: ClaimApp, shipped: list[Sample] | None = None) -> str:
        """Ingest the shipped sample articles when the database has no articles yet."""
        claims = app.bot_data.services.claims
        if claims.stats().store.articles:
            return "Using the existing claims in the database."
        shipped = samples() if shipped is None else shipped
        if not shipped:
            return ("No sample articles are installed; the database is empty. "
                    "Use ':file PATH' and ':reply /ingest' to add an article.")
        added = 0
        for item in shipped:
            try:
                added += len(claims.ingest(item.article()).report.added)
            except InputError as exc:
                return f"Could not read the sample article {item.file}: {exc}"
        return (f"Seeded an empty database with {count(len(shipped), 'sample article')} "
                f"({count(added, 'claim')}).")

    async def _handle(self, app: ClaimApp, line: str) -> None:
        if line in {":help", ":h", ":?"}:
            self.say(HELP)
            return
        if line.startswith(":file "):
            document = _read_file(line[6:].strip())
            if isinstance(document, str):
                self.say(document)
                return
            msg = self.api.user_sends(self.user, document=document)
        elif line.startswith(":reply "):
            if self.last_own is None:
                self.say("(nothing to reply to yet)")
                return
            msg = self.api.user_sends(self.user, line[7:].strip(), reply_to=self.last_own)
        elif line.startswith(":forward "):
            origin = {"type": "channel", "chat": FORWARDED_FROM, "message_id": 1}
            msg = self.api.user_sends(self.user, line[9:].strip(), forward=origin)
        elif line.startswith(":inline"):
            await self._inline(app, line[7:].strip())
            return
        elif line[:1] == ":" and (n := ascii_number(line[1:], digits=3)) is not None:
            if not 1 <= n <= len(self.last_buttons):
                self.say("(no such button)")
                return
            message, data = self.last_buttons[n - 1]
            self.api.press(self.user, message, data)
            msg = None
        else:
            msg = self.api.user_sends(self.user, line)
        if msg is not None:
            self.last_own = msg
        await self._deliver(app)
        self._show(self.api.sent[self.shown:])
        self.shown = len(self.api.sent)

    async def _inline(self, app: ClaimApp, query: str) -> None:
        """What a user typing ``@bot query`` in some chat sees, and the message the first result sends."""
        query_id = self.api.inline_query(self.user, query)
        await self._deliver(app)
        answer = self.api.inline_answers.get(query_id) or {"results": []}
        results = answer["results"]
        if not results:
            self.say("inline> (no results)\n")
            return
        for n, result in enumerate(results, 1):
            self.say(f"inline> {n}. {result['title']}\n          {result.get('description', '')}")
        content = results[0]["input_message_content"]
        self.say("inline> first result sends:\n     "
                 + html_to_plain(content["message_text"]).replace("\n", "\n     ") + "\n")

    async def _deliver(self, app: ClaimApp) -> None:
        """Hand the pending updates to the Application and wait until it has fully handled them."""
        updates, self.api.updates = self.api.updates, []
        for raw in updates:
            await app.process_update(Update.de_json(raw, app.bot))
        # Handlers registered with block=False (ingest) run as tasks of their own; wait for them.
        me = asyncio.current_task()
        pending = [t for t in asyncio.all_tasks()
                   if t is not me and "process_update_non_blocking" in t.get_name()]
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    def _show(self, sent: list[Sent]) -> None:
        answers = {k: v for k, v in self.api.callback_answers.items() if v and v.get("text")}
        for query_id in list(answers):
            self.say(f"  (button: {answers[query_id]['text']})")
            self.api.callback_answers[query_id] = {"shown": True}
        for item in sent:
            text = html_to_plain(item.html) if item.parse_mode else item.text
            head = "bot (edited)>" if item.method != "sendMessage" else "bot>"
            self.say(f"{head} " + text.replace("\n", "\n     "))
            buttons = item.buttons()
            if buttons:
                self.last_buttons = [(item, b["callback_data"]) for b in buttons if "callback_data" in b]
                self.say("     " + "  ".join(f"[:{n}] {b['text']}" for n, b in enumerate(buttons, 1)))
            self.say()


def _read_file(name: str) -> tuple[str, bytes] | str:
    """A file to send as a document, or a note saying why not."""
    path = Path(name).expanduser()
    if not path.is_file():
        return f"(no such file: {path})"
    return path.name, path.read_bytes()
