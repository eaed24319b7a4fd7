"""This process's digest machinery: the digests' own bot, the background sender, and feed polling.

``Delivery`` runs ``claims.follow.delivery.DeliveryRunner`` as a background task from ``post_init`` to
``post_shutdown``; it sends outbox rows at Telegram's pace through ``bot.sender``. The jobs that
feed it (``bot.jobs``) call ``enqueue`` and ``poll_feeds`` here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from telegram.request import BaseRequest

from bot import render
from bot.sender import TelegramSender, digest_bot
from claims.service import ClaimService
from claims.service.types import (
    DEFAULT_GRACE,
    SETTLE,
    DeliveryReport,
    DeliveryRunner,
    EnqueueReport,
    Limits,
    PollReport,
)
from claims.settings import Settings

log = logging.getLogger(__name__)
DIGEST_LIMITS = Limits(per_second=25.0)
"""Digests take 25 of Telegram's ~30 messages/s, for all replicas together (the runners share one
budget row in the database); the rest is left for answering users, which each Application's
``AIORateLimiter`` paces separately."""
RESTART_DELAY = 5.0


@dataclass(frozen=True, slots=True)
class DigestConfig:
    """How often the jobs run and how delivery is paced (tests shorten these)."""

    enqueue_every: timedelta = timedelta(seconds=30)
    grace: timedelta = DEFAULT_GRACE
    """A digest missed while the bot was down is still sent this late; after that it waits."""
    settle: timedelta = SETTLE
    """Scheduled digests cover revisions at least this old (see ``claims.follow.digest.compute``)."""
    limits: Limits = field(default_factory=lambda: DIGEST_LIMITS)
    outbox_poll_seconds: float = 2.0
    feeds_every: timedelta = timedelta(minutes=15)
    feeds_check_every: timedelta = timedelta(minutes=1)

    @classmethod
    def from_settings(cls, settings: Settings) -> DigestConfig:
        """The operator's choices from the settings; tests build shorter ones directly."""
        return cls(
            enqueue_every=timedelta(seconds=settings.digest_check_seconds),
            grace=timedelta(minutes=settings.digest_grace_minutes),
            limits=Limits(per_second=settings.digest_messages_per_second),
            feeds_every=timedelta(minutes=settings.feed_poll_minutes),
        )


class Delivery:
    """This process's digest machinery: the sender's bot, the background runner, feed polling.

    Blocking work (queries, computing digests, fetching feeds) runs in threads so the event loop
    keeps answering users; each unit of work gets its own session.
    """

    def __init__(self, claims: ClaimService, *, token: str, config: DigestConfig | None = None,
                 request: BaseRequest | None = None) -> None:
        self.claims = claims
        self.config = config or DigestConfig()
        self.bot = digest_bot(token=token, api_url=claims.settings.telegram_api_url, request=request)
        self.sender = TelegramSender(self.bot)
        self.runner: DeliveryRunner | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._feeds = asyncio.Lock()

    def _runner(self) -> DeliveryRunner:
        return self.claims.delivery_runner(self.sender, limits=self.config.limits,
                                           poll_interval=self.config.outbox_poll_seconds)

    async def start(self) -> None:
        """Start sending from the outbox (rows left by a previous run included)."""
        await self.bot.initialize()
        self._stop.clear()
        self._task = asyncio.create_task(self._supervise(), name="claimbot-delivery")

    async def _supervise(self) -> None:
        """Run the runner until stopped; if it crashes (the database went away), log and start afresh.

        A fresh runner is safe: rows the crashed one held are taken over when their lease expires.
        """
        while not self._stop.is_set():
            self.runner = self._runner()
            try:
                await self.runner.run(stop=self._stop)
            except Exception:
                log.exception("digest delivery stopped with an error; restarting in %.0f s", RESTART_DELAY)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), RESTART_DELAY)

    async def stop(self) -> None:
        """Let messages in flight finish, hand unsent rows back to the outbox, close the connections."""
        self._stop.set()
        if self.runner is not None:
            self.runner.wake()  # out of its poll wait now, rather than at the next poll
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, 30)
            except TimeoutError:
                log.warning("digest delivery did not stop within 30 s; its leases will expire")
            self._task = None
        await self.bot.shutdown()

    def wake(self) -> None:
        if self.runner is not None:
            self.runner.wake()

    # -- digests -------------------------------------------------------------------------------

    def enqueue(self, *, force: bool = False, topic_id: int | None = None) -> EnqueueReport:
        """Record due digests in the outbox (blocking: call it in a thread)."""
        return self.claims.enqueue_digests(render=render.digest_messages, grace=self.config.grace,
                                           settle=self.config.settle, force=force, topic_id=topic_id)

    async def run_now(self, *, topic_id: int | None = None) -> tuple[EnqueueReport, DeliveryReport]:
        """``/digest_now``: every active subscription's digest (or one topic's), sent before returning.

        A runner of its own drains the outbox, so the counts are this run's; it shares the
        background runner's rate bookkeeping, so the two together keep to Telegram's limits, and
        the outbox's leases keep them from sending the same row twice.
        """
        queued = await asyncio.to_thread(self.enqueue, force=True, topic_id=topic_id)
        drainer = self._runner()
        if self.runner is not None:
            drainer.limiter = self.runner.limiter
        sent = await drainer.drain()
        return queued, sent

    # -- feeds ---------------------------------------------------------------------------------

    async def poll_feeds(self) -> list[PollReport]:
        """Poll due feeds, one poll at a time (the service indexes what came in)."""
        async with self._feeds:
            reports = await asyncio.to_thread(self.claims.poll_feeds, every=self.config.feeds_every)
        for r in reports:
            if r.failed:
                log.warning("feed #%d (%s) could not be read: %s", r.feed_id, r.url, r.failed)
            elif not r.not_modified:
                log.info("feed #%d: %d entries, %d ingested, %d new and %d revised claims, %d errors",
                         r.feed_id, r.entries, r.ingested, len(r.added_claims), len(r.revised_claims),
                         len(r.errors))
        return reports
