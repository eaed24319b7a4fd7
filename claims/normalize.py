"""Text normalisation shared by claim identity, import and matching.

Two reports of the same statement differ in quote marks, dashes, case and spacing; identity must see
through that, so everything that compares claim texts goes through ``normalize_text``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import overload

_QUOTES = str.maketrans(
    {
        "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"',
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "‹": "'", "›": "'", "`": "'",
        "–": "-", "—": "-", "‐": "-", "‑": "-", "‒": "-", "―": "-",
        "\u00a0": " ", "\u2009": " ", "\u202f": " ",
    }
)
_NON_WORD = re.compile(r"[^\w']+", re.UNICODE)
_SPACES = re.compile(r"\s+")


_ASCII_DIGITS = frozenset("0123456789")


def ascii_number(text: str, *, digits: int = 12) -> int | None:
    """The whole number ``text`` spells in ASCII digits only (at most ``digits`` of them), else
    ``None``. Users' numbers go through here, not ``str.isdigit``/``int``: ``"²".isdigit()`` is
    true yet ``int("²")`` raises, and ``int("١٢")`` is 12, a claim the user may not have meant."""
    if not 0 < len(text) <= digits or not _ASCII_DIGITS.issuperset(text):
        return None
    return int(text)


DOUBLE_QUOTES = "\"“”„‟«»"
SINGLE_QUOTES = "'‘’‚‛‹›"
_QUOTED = re.compile(
    rf"^\s*(?:[{DOUBLE_QUOTES}](?P<double>[^{DOUBLE_QUOTES}]*?\S[^{DOUBLE_QUOTES}]*?)[{DOUBLE_QUOTES}]"
    rf"|[{SINGLE_QUOTES}](?P<single>\S(?:.*?\S)?)[{SINGLE_QUOTES}](?=\s|$))(?P<rest>.*)$",
    re.S,
)


def split_quoted(text: str) -> tuple[str, str] | None:
    """``("Zelenskyy’s truce", "daily 8:00")`` for ``"Zelenskyy’s truce" daily 8:00``, else None.

    Straight and curly quotes of every style work alike, and a phrase ends at a quote of the kind
    that opened it: inside double quotes an apostrophe is a letter, and a single quote closes only
    where a word ends (``'O'Brien's plan' daily``). Every command that takes a quoted phrase or name
    reads it through here or ``unquote``."""
    match = _QUOTED.match(text)
    if match is None:
        return None
    phrase = match.group("double") if match.group("double") is not None else match.group("single")
    return " ".join(phrase.split()), match.group("rest").strip()


def unquote(text: str) -> str:
    """``text`` without one pair of quotes around all of it (any style), else as it is."""
    quoted = split_quoted(text)
    return quoted[0] if quoted is not None and not quoted[1] else text.strip()


def clean_text(text: str) -> str:
    """Unicode-normalised text with straight quotes and plain dashes, for storage and display.

    NUL characters are dropped: they mean nothing in prose and PostgreSQL refuses them in text.
    """
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).translate(_QUOTES)).replace(
        "\x00", "").strip()


@overload
def strip_nul(text: str) -> str: ...
@overload
def strip_nul(text: None) -> None: ...
def strip_nul(text: str | None) -> str | None:
    """``text`` without NUL characters, which PostgreSQL refuses in text columns (None stays None).

    Everything a user can get stored (questions, notes, edits, documents, imported lines) passes
    through here or through ``clean_text``.
    """
    return text.replace("\x00", "") if text and "\x00" in text else text


def normalize_text(text: str) -> str:
    """A comparison key: case-folded words only, so punctuation and quote style never matter."""
    words = _NON_WORD.sub(" ", clean_text(text).casefold()).replace("'", "")
    return _SPACES.sub(" ", words).strip()


def fingerprint(speaker: str | None, text: str) -> str:
    """Identity of a statement: who said it and its normalised words."""
    key = f"{(speaker or '').casefold()}\x1f{normalize_text(text)}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def content_hash(text: str) -> str:
    """Hash of an article body, to tell an unchanged re-fetch from an updated article."""
    return hashlib.sha256(clean_text(text).encode("utf-8")).hexdigest()
