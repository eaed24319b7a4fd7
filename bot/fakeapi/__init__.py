"""An in-memory Telegram Bot API (the subset claimbot uses) that refuses what Telegram refuses.

Why it exists: the offline console (``claimbot chat``) and the test emulator both need a Bot API
that behaves like the real one, including its errors: text over 4,096 characters, HTML it cannot
parse, unknown chats, stale callback queries. One implementation serves both. The console reaches
it in process through ``request.InProcessRequest`` (a PTB request class, so the bot's only seam to
Telegram stays PTB's request layer); the tests serve it over HTTP on loopback
(``tests/bot/emulator.py``).

The parts:

- ``api``: ``FakeBotApi``, the server's state, serving calls, and playing the users (``user_sends``,
  ``press``, ``wait_until``);
- ``methods``: the Bot API methods, validated as Telegram validates them, and ``Sent``;
- ``text``: Telegram's HTML subset and UTF-16 lengths;
- ``errors``: ``ApiError`` replies and the faults tests inject (``Fault``);
- ``throttle``: ``Throttle``, Telegram's flood control: 429s beyond its rate limits (off unless set);
- ``request``: ``InProcessRequest``, PTB's request layer served in process.
"""
