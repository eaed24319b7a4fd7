"""Forgetting readers, as a use case of ``ClaimService``: ``/forget`` and the retention job
(``claims.tipline.retention`` does the deleting)."""

from __future__ import annotations

from claims.service.base import ServiceBase
from claims.tipline.retention import Erased, ErasureStats, erasure_stats, expire, forget_reader


class Retention(ServiceBase):
    """What readers sent, deleted on request or after ``CLAIMBOT_RETENTION_DAYS``."""

    def forget(self, *, user_id: int, chat_id: int | None = None) -> Erased:
        """Delete the questions, posts and subscriptions of the reader ``user_id`` (``/forget``,
        after they confirmed). Claims, articles and the team's edits stay."""
        asker = self.asker(user_id)
        assert asker is not None
        with self.session() as session:
            return forget_reader(session=session, asker=asker,
                                 private_chat_id=chat_id if chat_id == user_id else None)

    def expire_old(self) -> Erased:
        """Delete readers' questions, posts and links older than ``CLAIMBOT_RETENTION_DAYS``;
        nothing when it is not set (the default)."""
        days = self.settings.retention_days
        if days is None:
            return Erased()
        with self.session() as session:
            return expire(session=session, days=days)

    def erasures(self) -> ErasureStats:
        with self.session() as session:
            return erasure_stats(session=session)
