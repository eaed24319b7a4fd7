"""Digests: what changed for a subscription since its watermark (new, revised, re-judged, retracted,
merged claims).

A digest is plain data (``model``: ``Digest`` of ``DigestGroup`` of ``DigestItem``); the bot
renders it as Telegram HTML. The parts:

- ``model``: the digest's shape, as the bot and the outbox read it;
- ``compute``: digests for many subscriptions at once, the settled horizon they cover, and one
  digest per chat (``DigestBatch.for_chat``);
- ``revisions``: which revisions a batch of subscriptions covers, loaded with a fixed number of
  queries;
- ``items``: folding a claim's revisions into one item and grouping items by topic;
- ``text``: a plain-text rendering (no markup) for the outbox when no other renderer is given, for
  logs and for the benchmark.
"""
