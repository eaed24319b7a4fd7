"""claimbot's domain: articles, claims with their history, extraction, matching and digests.

Nothing in this package knows about Telegram; ``bot/`` adapts it.
"""
