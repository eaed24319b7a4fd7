"""Asking: a question answered from the index, page by page, and logged for ``/stats``."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from sqlalchemy.exc import OperationalError

from claims.search.documents import Match
from claims.search.questions import Answer, get_question, log_question, page_of_answers, related_claims
from claims.service.index import IndexUpkeep
from claims.store.models import QuestionKind
from claims.store.views import ClaimView, topics_with_counts
from claims.tipline.askers import group_chat_id

log = logging.getLogger(__name__)

LOG_WAIT_MS = 250
"""How long logging a question may wait for SQLite's write lock before the entry is dropped."""


class Questions(IndexUpkeep):
    """Questions for ``ClaimService``: the bot's answers and ``claimbot ask``, and the question log."""

    def log_message(self, text: str, *, kind: QuestionKind, matches: int, top_claim_id: int | None,
                    user_id: int | None, chat_id: int | None) -> int | None:
        """Log a question or post, pseudonymised, in a short transaction of its own; dropped (with
        a warning) when the store is busy, so a long import never makes a reader wait."""
        try:
            with self.short_write(wait_ms=LOG_WAIT_MS) as session:
                row = log_question(session=session, question=text, asker=self.asker(user_id),
                                   chat_id=group_chat_id(chat_id), matches=matches,
                                   top_claim_id=top_claim_id, kind=kind)
                return row.id
        except OperationalError as exc:
            log.warning("question not logged: the store is busy (%s)", type(exc.orig).__name__)
            return None


    def ask(self, question: str, *, user_id: int | None = None, chat_id: int | None = None,
            per_page: int = 3, log_it: bool = True, count_topics: bool = True) -> Answer:
        """The first page of claims answering ``question`` (or the topics we know), logged for /stats.

        ``count_topics=False`` leaves the known topics out of an unanswered question's answer: counting
        every topic's claims is the dearest query here at 100,000 claims (the web lists topics without
        counts instead).

        The answer is read without holding a write lock; the log entry is written afterwards in a
        short transaction of its own and dropped (with a warning) if the store is busy, so a long
        import never makes a question wait or fail.
        """
        self._ensure_index()
        with self.session() as session:
            answer = page_of_answers(session=session, ask=self.index.ask, question=question, page=0,
                                     per_page=per_page)
            if not answer.claims:
                related = related_claims(session=session, related=self.index.related,
                                         question=question, limit=per_page)
                if count_topics:
                    answer = answer.with_topics(topics_with_counts(session=session))
                answer = answer.with_related([view for _, view in related])
        if log_it:
            answer = answer.with_question_id(self._log_question(answer, user_id=user_id, chat_id=chat_id))
        return answer

    def _log_question(self, answer: Answer, *, user_id: int | None, chat_id: int | None) -> int | None:
        top = answer.matches[0].claim_id if answer.matches else None
        return self.log_message(answer.question, kind=QuestionKind.QUESTION, matches=len(answer.matches),
                                top_claim_id=top, user_id=user_id, chat_id=chat_id)

    def answer_page(self, question_id: int, page: int, *, per_page: int = 3) -> Answer | None:
        """A later page of a logged question's answers (``None`` if the question is not on record)."""
        self._ensure_index()
        with self.session() as session:
            row = get_question(session=session, question_id=question_id)
            if row is None or row.id is None:
                return None
            answer = page_of_answers(session=session, ask=self.index.ask, question=row.question,
                                     page=page, per_page=per_page)
        return answer.with_question_id(row.id)

    def find(self, questions: Iterable[str], *, limit: int = 3) -> Iterator[list[tuple[Match, ClaimView]]]:
        """For each question, its best claims with their scores (``claimbot ask``; not logged)."""
        self._ensure_index()
        with self.session() as session:
            for question in questions:
                answer = page_of_answers(session=session, ask=self.index.ask, question=question, page=0,
                                         per_page=limit)
                yield list(zip(answer.matches, answer.claims, strict=True))

    def related(self, question: str, *, limit: int = 3) -> list[tuple[Match, ClaimView]]:
        """The claims closest in meaning to a question none answers (``claimbot ask``; semantic
        extra only, the score is the cosine)."""
        self._ensure_index()
        with self.session() as session:
            return related_claims(session=session, related=self.index.related, question=question,
                                  limit=limit)
