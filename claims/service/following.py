"""Following: subscriptions, time zones and digests, the use cases of ``ClaimService`` that
decide what chats follow and what they are sent (``claims.follow`` holds the domain rules)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from claims.errors import InvalidArgumentError, NotFoundError
from claims.follow import subscriptions as subs
from claims.follow import targets
from claims.follow.delivery import (
    DEFAULT_GRACE,
    DeliveryRunner,
    EnqueueReport,
    Limits,
    Sender,
    enqueue_digests,
)
from claims.follow.delivery.enqueue import Renderer
from claims.follow.digest.compute import SETTLE
from claims.follow.schedule import DEFAULT_SCHEDULE, Schedule
from claims.follow.searches import Searcher
from claims.service.base import ServiceBase
from claims.store.models import TargetKind
from claims.store.views import find_topic, get_claim


class Following(ServiceBase):
    """What chats follow and the digests they get."""

    searcher: Searcher | None
    """Answers saved searches (``/subscribe "phrase"``) in digests; without one they wait."""

    def subscribe(self, *, chat_id: int, query: str, schedule: Schedule = DEFAULT_SCHEDULE,
                  user_id: int | None = None) -> subs.SubscribeResult:
        """Follow what ``query`` names; ``AmbiguousTargetError`` lists the choices."""
        with self.session() as session:
            target = targets.resolve_target(session=session, query=query)
            return self._subscribe(session, chat_id, target, schedule, user_id)

    def subscribe_target(self, *, chat_id: int, kind: TargetKind, target_id: int,
                         schedule: Schedule = DEFAULT_SCHEDULE, user_id: int | None = None
                         ) -> subs.SubscribeResult:
        """Follow a target picked by id (a button: one of the choices offered)."""
        with self.session() as session:
            target = targets.target_by_id(session=session, kind=kind, target_id=target_id)
            return self._subscribe(session, chat_id, target, schedule, user_id)

    def follow_topic_of(self, *, chat_id: int, claim_id: int, user_id: int | None = None
                        ) -> subs.SubscribeResult:
        """The Follow button on an answer: the claim's topic, on the default schedule."""
        with self.session() as session:
            slug = get_claim(session=session, claim_id=claim_id).topic
            topic = find_topic(session=session, name=slug) if slug else None
            if topic is None or topic.id is None:
                raise NotFoundError("That claim has no topic any more.")
            target = targets.target_by_id(session=session, kind=TargetKind.TOPIC, target_id=topic.id)
            return self._subscribe(session, chat_id, target, DEFAULT_SCHEDULE, user_id)

    def _subscribe(self, session: Session, chat_id: int, target: targets.Target, schedule: Schedule,
                   user_id: int | None) -> subs.SubscribeResult:
        return subs.subscribe(session=session, chat_id=chat_id, target=target, schedule=schedule,
                              subscriber=self.asker(user_id), default_timezone=self.settings.timezone,
                              limit=self.settings.max_subscriptions_per_chat)

    def unsubscribe(self, *, chat_id: int, query: str) -> subs.SubscriptionView | list[subs.SubscriptionView]:
        """Stop following what ``query`` names. When it names several things this chat follows,
        they come back as a list to choose from instead."""
        with self.session() as session:
            try:
                target = targets.resolve_target(session=session, query=query)
            except targets.AmbiguousTargetError as exc:
                followed = {(v.target.kind, v.target.id): v
                            for v in subs.list_subscriptions(session=session, chat_id=chat_id)}
                mine = [followed[(t.kind, t.id)] for t in exc.choices if (t.kind, t.id) in followed]
                if not mine:
                    names = ", ".join(t.label for t in exc.choices)
                    raise NotFoundError(f"This chat follows none of: {names}.") from None
                if len(mine) > 1:
                    return mine
                target = mine[0].target
            return subs.unsubscribe(session=session, chat_id=chat_id, target=target)

    def unsubscribe_id(self, *, chat_id: int, subscription_id: int) -> subs.SubscriptionView:
        with self.session() as session:
            return subs.unsubscribe(session=session, chat_id=chat_id, subscription_id=subscription_id)

    def subscriptions(self, chat_id: int) -> tuple[list[subs.SubscriptionView], str]:
        """A chat's subscriptions and its time zone."""
        with self.session() as session:
            views = subs.list_subscriptions(session=session, chat_id=chat_id)
            tz = subs.chat_timezone(session=session, chat_id=chat_id, default=self.settings.timezone)
        return views, tz

    def chat_timezone(self, chat_id: int) -> str:
        with self.session() as session:
            return subs.chat_timezone(session=session, chat_id=chat_id, default=self.settings.timezone)

    def set_timezone(self, chat_id: int, name: str) -> str:
        with self.session() as session:
            return subs.set_timezone(session=session, chat_id=chat_id, timezone=name)

    def resume_chat(self, chat_id: int) -> int:
        """Resume a chat's paused digests (it wrote to us, so it is reachable). Most chats have none:
        they cost one read, never a write transaction."""
        with self.session() as session:
            if not subs.has_paused(session=session, chat_id=chat_id):
                return 0
            return subs.resume_chat(session=session, chat_id=chat_id)

    def topic_id(self, name: str) -> tuple[int, str]:
        """A topic's id and name from what an admin typed (``/digest_now TOPIC``)."""
        with self.session() as session:
            target = targets.resolve_target(session=session, query=name)
        if target.kind is not TargetKind.TOPIC:
            raise InvalidArgumentError(f"{target.label} is a {target.kind.value}, not a topic.")
        return target.id, target.label

    # ---------------------------------------------------------------------------- digests

    def enqueue_digests(self, *, render: Renderer, grace: timedelta = DEFAULT_GRACE,
                        settle: timedelta = SETTLE, force: bool = False,
                        topic_id: int | None = None) -> EnqueueReport:
        with self.session() as session:
            return enqueue_digests(session=session, render=render, grace=grace, settle=settle,
                                   force=force, topic_id=topic_id, searcher=self.searcher)

    def delivery_runner(self, sender: Sender, *, limits: Limits, poll_interval: float) -> DeliveryRunner:
        """A sender loop over this store's outbox (it opens its own short sessions)."""
        return DeliveryRunner(engine=self.engine, sender=sender, limits=limits, poll_interval=poll_interval)
