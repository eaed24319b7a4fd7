"""One subject, two phrases: when two topic phrases name the same subject.

Topic discovery keeps one topic per subject, and the topics benchmark counts the twins that slip
through; both ask ``same_subject``. Two phrases name one subject when they are spelt alike once
spaces and punctuation go, have the same words in another order, are a name and its initials, or
one is the other with words added before the same head noun ("private server", "private email
server"). ``SubjectIndex`` finds a phrase's twin among many without comparing it with each.
"""

from __future__ import annotations

from claims.ingest.phrases import PLACE_QUALIFIERS, phrase_key
from claims.store.nameforms import ROLE_NOUNS, TITLES

_LINKS = frozenset({"of", "and", "the", "for", "&", "on", "in"})


def subject_words(key: str) -> tuple[str, ...]:
    """The words of a phrase key that carry its subject (link words such as "of" and "and" left out)."""
    return tuple(w for w in key.split() if w not in _LINKS)


def same_subject(a: str, b: str, *, sub_phrases: bool = True) -> bool:
    """Whether two phrase keys name one subject, so that only one of them should be a topic.

    They do when they are spelt alike once spaces and punctuation go ("f b i" and "fbi"), when they
    have the same words in another order ("justice department", "department of justice"), when one
    is the other's initials ("dnc", "democratic national committee"), or when one is the other with
    words added before the same head noun ("private server", "private email server"; "fbi",
    "department and fbi"; "crutcher", "terence crutcher"). A different head is a different subject:
    "new york" is not "new york university", and "west virginia" is not "virginia".
    """
    a, b = phrase_key(a), phrase_key(b)
    return _same_keys(a, b, sub_phrases)


def _same_keys(a: str, b: str, sub_phrases: bool = True) -> bool:
    if not a or not b:
        return False
    if a.replace(" ", "") == b.replace(" ", ""):
        return True
    wa, wb = subject_words(a), subject_words(b)
    if not wa or not wb:
        return False
    if sorted(wa) == sorted(wb):
        return True
    short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    if len(short) == 1 and len(long_) >= 2 and len(short[0]) >= 2 \
            and short[0] == "".join(w[0] for w in long_):
        return True
    if not sub_phrases or len(short) == len(long_):
        return False
    if short[-1] == long_[-1]:
        it = iter(long_)
        if not all(w in it for w in short):
            return False
        added = [w for w in long_ if w not in short]
        return not all(w in PLACE_QUALIFIERS for w in added)  # "virginia", "west virginia"
    # "fbi" in "fbi director james comey": a person named with the subject's title.
    n = len(short)
    for i in range(len(long_) - n + 1):
        if long_[i : i + n] == short:
            rest = long_[:i] + long_[i + n :]
            return any(w in TITLES or w in ROLE_NOUNS for w in rest)
    return False


class SubjectIndex:
    """Phrase keys with something each stands for, found again by ``same_subject`` without
    comparing a new phrase with every key: only keys sharing a word (or initials) are compared."""

    def __init__(self) -> None:
        self._by_word: dict[str, list[tuple[str, int]]] = {}
        self._order = 0

    def add(self, key: str, ident: int) -> None:
        for word in {*subject_words(key), key.replace(" ", ""), _initials(key)}:
            self._by_word.setdefault(word, []).append((key, ident))

    def find(self, key: str) -> int | None:
        """The ident of the earliest-added key naming the same subject as ``key`` (a phrase key)."""
        found: int | None = None
        for word in {*subject_words(key), key.replace(" ", ""), _initials(key)}:
            for other, ident in self._by_word.get(word, ()):
                if other != key and (found is None or ident < found) and _same_keys(other, key):
                    found = ident
        return found


def _initials(key: str) -> str:
    words = subject_words(key)
    return "".join(w[0] for w in words) if len(words) > 1 else ""
