"""How counts are said in English: one helper, so every message the bot and the command line
print agrees ("1 claim", "2 claims", "1 chat", "3 chats"), instead of each message guessing.
"""

from __future__ import annotations

_IRREGULAR = {"is": "are", "was": "were", "has": "have", "this": "these", "that": "those",
              "person": "people", "entry": "entries", "query": "queries"}


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """The word (or phrase) for ``n`` things: ``singular`` for exactly one, else ``plural_form``.

    Without ``plural_form`` the last word of ``singular`` is made plural by the regular rules
    ("sample article" -> "sample articles", "reply" -> "replies", "match" -> "matches").
    """
    if n == 1:
        return singular
    if plural_form is not None:
        return plural_form
    head, _, last = singular.rpartition(" ")
    return f"{head} {_plural_word(last)}" if head else _plural_word(last)


def count(n: int, singular: str, plural_form: str | None = None) -> str:
    """``n`` with thousands separators and the right word: "1 claim", "1,024 claims"."""
    return f"{n:,} {plural(n, singular, plural_form)}"


def _plural_word(word: str) -> str:
    lower = word.lower()
    if lower in _IRREGULAR:
        return _IRREGULAR[lower]
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"
