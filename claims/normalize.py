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
