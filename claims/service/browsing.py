"""Reading the store: a claim and its history, lists of claims, topics and speakers, and ``/stats``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from claims.errors import NotFoundError
from claims.follow.delivery import DeliveryStats, delivery_stats
from claims.follow.subscriptions import SubscriptionStats, subscription_stats
from claims.normalize import unquote
from claims.search.questions import QuestionStats, last_day, question_stats
from claims.service.base import ServiceBase
from claims.store.listing import ClaimPage, ClaimScope, claim_page
from claims.store.models import TargetKind, utcnow
from claims.store.names import resolve_name
from claims.store.views import (
    ClaimView,
    NameCount,
    RevisionView,
    StoreStats,
    claim_history,
    get_claim,
    list_claims,
    speakers_with_counts,
    store_stats,
)
from claims.tipline.retention import ErasureStats, erasure_stats
from claims.tipline.unanswered import Unanswered, unanswered_groups

STATS_UNANSWERED = timedelta(days=7)
"""The window of the unanswered questions ``/stats`` shows (``/unanswered DAYS`` chooses its own)."""


@dataclass(frozen=True, slots=True)
class Stats:
    """Everything ``/stats`` shows."""

    store: StoreStats
    questions: QuestionStats
    subscribers: SubscriptionStats
    delivery: DeliveryStats
    unanswered: Unanswered
    erasures: ErasureStats


class Browsing(ServiceBase):
    """Read-only use cases of ``ClaimService``: each one session, nothing written."""

    def claim(self, claim_id: int) -> ClaimView:
        with self.session() as session:
            return get_claim(session=session, claim_id=claim_id)

    def history(self, claim_id: int) -> tuple[ClaimView, list[RevisionView]]:
        with self.session() as session:
            return (get_claim(session=session, claim_id=claim_id),
                    claim_history(session=session, claim_id=claim_id))

    def speakers(self) -> list[NameCount]:
        with self.session() as session:
            return speakers_with_counts(session=session)

    def claims(self, *, topic: str | None = None, speaker: str | None = None,
               include_inactive: bool = False, limit: int | None = None, offset: int = 0) -> list[ClaimView]:
        """Claims newest first, filtered by topic and speaker names as users type them."""
        with self.session() as session:
            return list_claims(session=session, topic=topic, speaker=speaker,
                               include_inactive=include_inactive, limit=limit, offset=offset)

    def browse(self, wanted: str, *, limit: int, offset: int = 0) -> ClaimPage:
        """``/claims [NAME]``: the newest claims, or a topic's or a speaker's, with their total."""
        with self.session() as session:
            scope = self._browse_scope(session, wanted)
            return claim_page(session=session, scope=scope, limit=limit, offset=offset)

    def browse_page(self, scope: ClaimScope, *, limit: int, offset: int) -> ClaimPage:
        """A later page of a ``/claims`` list (its page buttons carry the scope)."""
        with self.session() as session:
            return claim_page(session=session, scope=scope, limit=limit, offset=offset)

    def _browse_scope(self, session: Session, wanted: str) -> ClaimScope:
        """What a typed name stands for: every claim (nothing typed), a topic or a speaker."""
        wanted = unquote(wanted)
        if not wanted:
            return ClaimScope()
        try:  # topics and speakers compete in one resolution: "Trump" is the speaker, not "Trump Tower"
            match = resolve_name(session=session, text=wanted, catalog=self.catalog)
        except NotFoundError:
            raise NotFoundError(
                f"I know no topic or speaker called “{wanted[:80]}”. See /topics and /speakers."
            ) from None
        return ClaimScope("topic" if match.kind is TargetKind.TOPIC else "speaker", match.id)

    def stats(self) -> Stats:
        with self.session() as session:
            return Stats(store=store_stats(session=session),
                         questions=question_stats(session=session, since=last_day()),
                         subscribers=subscription_stats(session=session),
                         delivery=delivery_stats(session=session),
                         unanswered=unanswered_groups(session=session, since=utcnow() - STATS_UNANSWERED,
                                                      most=5),
                         erasures=erasure_stats(session=session))
