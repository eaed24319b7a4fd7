"""Saved searches: following any phrase (``/subscribe "Time Warner merger"``) through the matcher.

A saved search is a phrase stored once however many chats follow it. Its digest holds every new or
changed claim that the matcher answers the phrase with: the claims changed since the subscription's
watermark are indexed in a matcher of their own and the phrase is asked of it through
``Matcher.ask``, so "ranks above the answer threshold" means exactly what it means for a question.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, select

from claims.catalog import Catalog
from claims.errors import InvalidArgumentError
from claims.normalize import clean_text, normalize_text, split_quoted
from claims.search.match import Matcher
from claims.store.claim_docs import claim_docs
from claims.store.models import SavedSearch

__all__ = ["Searcher", "saved_search", "split_quoted"]

MAX_PHRASE = 300


def saved_search(*, session: Session, phrase: str) -> SavedSearch:
    """The stored search for a phrase (any case, quotes or spacing), created on first use."""
    text = " ".join(clean_text(phrase).split())[:MAX_PHRASE]
    key = normalize_text(text)[:MAX_PHRASE]
    if not key:
        raise InvalidArgumentError('Give a phrase to follow, for example /subscribe "Time Warner merger".')
    row = session.exec(select(SavedSearch).where(SavedSearch.key == key)).first()
    if row is None:
        row = SavedSearch(phrase=text, key=key)
        session.add(row)
        session.flush()
    return row


@dataclass
class Searcher:
    """Answers saved searches over a set of changed claims, with the bot's topics and synonyms."""

    catalog: Catalog
    synonyms: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def matching(
        self, *, session: Session, phrases: Mapping[int, str], claim_ids: Sequence[int]
    ) -> dict[int, set[int]]:
        """For each search id, the claims among ``claim_ids`` the matcher answers its phrase with."""
        docs = list(claim_docs(session=session, ids=list(dict.fromkeys(claim_ids))))
        if not docs or not phrases:
            return {}
        matcher = Matcher.build(docs, catalog=self.catalog, synonyms=self.synonyms)
        return {
            search_id: {m.claim_id for m in matcher.ask(phrase, limit=len(docs))}
            for search_id, phrase in phrases.items()
        }
