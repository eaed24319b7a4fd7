"""Digests and feeds on PTB's JobQueue (the one scheduler), and the delivery runner beside it.

Every schedule lives in the database: each subscription's ``next_run_at`` says when its digest is
due, and each feed's ``last_polled_at`` when it was last read. So there is nothing per subscription
to register with APScheduler, and nothing to lose on a restart: ``schedule_jobs`` (from
``post_init``) adds two repeating jobs that ask the database what is due.

- ``enqueue_tick`` (every ``DigestConfig.enqueue_every``, first at start-up): records the digests of
  due subscriptions in the outbox (``claims.follow.delivery.enqueue_digests``, in a thread) and wakes the
  runner. Running at once on start is what sends digests missed while the bot was down, as long
  as they are within ``grace``; older ones wait for their next run (their changes are kept).
- ``poll_feeds_job`` (every ``feeds_check_every``): polls the feeds not read for ``feeds_every``
  (conditional requests, in a thread), then tells the matcher about new and revised claims. Those
  claims reach digests at the next tick like any other change.
- ``Delivery`` runs ``claims.follow.delivery.DeliveryRunner`` as a background task from ``post_init`` to
  ``post_shutdown``: it sends outbox rows at Telegram's pace through ``bot.sender``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from telegram.request import BaseRequest

from bot import render
from bot.sender import TelegramSender, digest_bot
from claims.errors import NotFoundError
from claims.follow.delivery import (
    DEFAULT_GRACE,
    DeliveryReport,
    DeliveryRunner,
    EnqueueReport,
    Limits,
    enqueue_digests,
)
from claims.follow.digest import SETTLE
from claims.ingest.feeds import PollReport, due_feeds, poll_feed
from claims.ingest.sources import FetchPolicy
from claims.settings import Settings

if TYPE_CHECKING:
    from bot.context import BotServices, ClaimApp, ClaimContext

log = logging.getLogger(__name__)
ENQUEUE_JOB = "digests-enqueue"
FEEDS_JOB = "feeds-poll"
DIGEST_LIMITS = Limits(per_second=25.0)
"""Digests take 25 of Telegram's ~30 messages/s; the rest is left for answering users, which the
Application's ``AIORateLimiter`` paces separately (the two do not share a budget)."""
RESTART_DELAY = 5.0


@dataclass(frozen=True, slots=True)
class DigestConfig:
    """How often the jobs run and how delivery is paced (tests shorten these)."""

    enqueue_every: timedelta = timedelta(seconds=30)
    grace: timedelta = DEFAULT_GRACE
    """A digest missed while the bot was down is still sent this late; after that it waits."""
    settle: timedelta = SETTLE
    """Scheduled digests cover revisions at least this old (see ``claims.follow.digest``)."""
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


def fetch_policy(settings: Settings) -> FetchPolicy:
    """Fetching limits from the settings; private addresses only if the operator allowed them."""
    return FetchPolicy.from_settings(settings)


class Delivery:
    """This process's digest machinery: the sender's bot, the background runner, feed polling.

    Blocking work (queries, computing digests, fetching feeds) runs in threads so the event loop
    keeps answering users; each unit of work gets its own session.
    """

    def __init__(self, services: BotServices, *, token: str, config: DigestConfig | None = None,
                 request: BaseRequest | None = None) -> None:
        self.services = services
        self.config = config or DigestConfig()
        self.bot = digest_bot(token=token, api_url=services.settings.telegram_api_url, request=request)
        self.sender = TelegramSender(self.bot)
        self.runner: DeliveryRunner | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._feeds = asyncio.Lock()

    def _runner(self) -> DeliveryRunner:
        return DeliveryRunner(engine=self.services.engine, sender=self.sender, limits=self.config.limits,
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
        with self.services.session() as session:
            return enqueue_digests(session=session, render=render.digest_messages, grace=self.config.grace,
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

    def _poll_due(self) -> list[PollReport]:
        """Poll every feed that is due, each in its own session (blocking: call it in a thread)."""
        services = self.services
        policy = fetch_policy(services.settings)
        with services.session() as session:
            ids = due_feeds(session=session, every=self.config.feeds_every)
        reports = []
        for feed_id in ids:
            try:
                with services.session() as session:
                    reports.append(poll_feed(session=session, feed_id=feed_id, catalog=services.catalog,
                                             policy=policy, max_chars=services.settings.max_article_chars))
            except NotFoundError:
                continue  # removed while we were polling the others
        return reports

    async def poll_feeds(self) -> list[PollReport]:
        """Poll due feeds (one poll at a time), then bring the matcher up to date."""
        async with self._feeds:
            reports = await asyncio.to_thread(self._poll_due)
        changed = [cid for r in reports for cid in (*r.added_claims, *r.revised_claims)]
        if changed:
            self.services.claims_changed(changed)
        for r in reports:
            if r.failed:
                log.warning("feed #%d (%s) could not be read: %s", r.feed_id, r.url, r.failed)
            elif not r.not_modified:
                log.info("feed #%d: %d entries, %d ingested, %d new and %d revised claims, %d errors",
                         r.feed_id, r.entries, r.ingested, len(r.added_claims), len(r.revised_claims),
                         len(r.errors))
        return reports


# ---------------------------------------------------------------------------- the jobs


async def enqueue_tick(context: ClaimContext) -> None:
    """Record due digests, then have the runner send them now rather than at its next poll."""
    delivery = context.services.digests
    report = await asyncio.to_thread(delivery.enqueue)
    log.debug("enqueue tick: %s", report)
    if report.digests or report.missed:
        log.info("digests: %d due, %d recorded (%d messages), %d empty, %d missed beyond grace",
                 report.due, report.digests, report.messages, report.empty, report.missed)
    if report.digests:
        delivery.wake()


async def poll_feeds_job(context: ClaimContext) -> None:
    await context.services.digests.poll_feeds()


def schedule_jobs(app: ClaimApp) -> None:
    """Add the jobs (from ``post_init``); what is due comes from the database each time.

    Each runs once at start-up (the catch-up: digests missed while the bot was down, within the
    grace period, and feeds overdue), then repeatedly. The catch-up is a job of its own because an
    interval job added before the scheduler starts skips its first, already-past, run.
    ``misfire_grace_time=None``: a run that starts late (a busy loop) still runs; ``coalesce`` and
    one instance: runs that piled up run once, never two at a time.
    """
    config = app.bot_data.services.digests.config
    queue = app.job_queue
    assert queue is not None, "python-telegram-bot[job-queue] is required"
    options = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
    for callback, name, every in ((enqueue_tick, ENQUEUE_JOB, config.enqueue_every),
                                  (poll_feeds_job, FEEDS_JOB, config.feeds_check_every)):
        queue.run_once(callback, 0, name=f"{name}-startup", job_kwargs={"misfire_grace_time": None})
        queue.run_repeating(callback, interval=every, first=every, name=name, job_kwargs=options)


def poll_feeds_soon(context: ClaimContext) -> None:
    """Poll due feeds now (a feed was just added) instead of at the next minute."""
    assert context.job_queue is not None
    context.job_queue.run_once(poll_feeds_job, 0, name=f"{FEEDS_JOB}-now",  # type: ignore[arg-type]
                               job_kwargs={"misfire_grace_time": None})
