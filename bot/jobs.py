"""The jobs on PTB's JobQueue (the one scheduler): digests, feeds, and keeping the index current.

Every schedule lives in the database: each subscription's ``next_run_at`` says when its digest is
due, and each feed's ``last_polled_at`` when it was last read. So there is nothing per subscription
to register with APScheduler, and nothing to lose on a restart: ``schedule_jobs`` (from
``post_init``) adds repeating jobs that ask the database what is due.

- ``enqueue_tick`` (every ``DigestConfig.enqueue_every``, first at start-up): records the digests of
  due subscriptions in the outbox (in a thread) and wakes the sender (``bot.delivery``). Running at
  once on start is what sends digests missed while the bot was down, as long as they are within
  ``grace``; older ones wait for their next run (their changes are kept).
- ``poll_feeds_job`` (every ``feeds_check_every``): polls the feeds not read for ``feeds_every``
  (conditional requests, in a thread). The claims they bring reach digests at the next tick like
  any other change.
- ``catch_up_job`` (every ``CLAIMBOT_INDEX_CATCH_UP_SECONDS``): reads the revision log so claims
  changed by another process (the CLI, another replica) are answered here within seconds, and saves
  the index snapshot when changes have waited ``CLAIMBOT_INDEX_SAVE_MINUTES``.

The admins' weekly digest of unanswered questions runs on the same JobQueue; it is scheduled with
its feature (``bot.handlers.tipline.schedule_weekly_digest``).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.context import ClaimApp, ClaimContext

log = logging.getLogger(__name__)
ENQUEUE_JOB = "digests-enqueue"
FEEDS_JOB = "feeds-poll"
INDEX_JOB = "index-catch-up"
RETENTION_JOB = "retention"
RETENTION_EVERY = timedelta(hours=1)


# ---------------------------------------------------------------------------- the jobs


async def enqueue_tick(context: ClaimContext) -> None:
    """Record due digests, then have the runner send them now rather than at its next poll."""
    delivery = context.services.delivery
    report = await asyncio.to_thread(delivery.enqueue)
    log.debug("enqueue tick: %s", report)
    if report.digests or report.missed:
        log.info("digests: %d due, %d recorded (%d messages), %d empty, %d missed beyond grace",
                 report.due, report.digests, report.messages, report.empty, report.missed)
    if report.digests:
        delivery.wake()


async def poll_feeds_job(context: ClaimContext) -> None:
    await context.services.delivery.poll_feeds()


async def catch_up_job(context: ClaimContext) -> None:
    """Index what other processes changed (and anything this one did not catch up on yet)."""
    services = context.services
    changed = await services.call(services.claims.catch_up)
    if changed:
        log.info("index: %d claims changed elsewhere are now answerable", changed)
    await services.call(services.claims.save_index, every_seconds=services.settings.index_save_minutes * 60)


async def retention_job(context: ClaimContext) -> None:
    """Delete readers' questions, posts and links past ``CLAIMBOT_RETENTION_DAYS`` (when set)."""
    services = context.services
    erased = await services.call(services.claims.expire_old)
    if erased.total:
        log.info("retention: deleted %d questions, %d posts and %d links", erased.questions, erased.posts,
                 erased.links)


def schedule_jobs(app: ClaimApp) -> None:
    """Add the jobs (from ``post_init``); what is due comes from the database each time.

    Each runs once at start-up (the catch-up: digests missed while the bot was down, within the
    grace period, and feeds overdue), then repeatedly. The catch-up is a job of its own because an
    interval job added before the scheduler starts skips its first, already-past, run.
    ``misfire_grace_time=None``: a run that starts late (a busy loop) still runs; ``coalesce`` and
    one instance: runs that piled up run once, never two at a time.
    """
    config = app.bot_data.services.delivery.config
    queue = app.job_queue
    assert queue is not None, "python-telegram-bot[job-queue] is required"
    options = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
    for callback, name, every in ((enqueue_tick, ENQUEUE_JOB, config.enqueue_every),
                                  (poll_feeds_job, FEEDS_JOB, config.feeds_check_every)):
        queue.run_once(callback, 0, name=f"{name}-startup", job_kwargs={"misfire_grace_time": None})
        queue.run_repeating(callback, interval=every, first=every, name=name, job_kwargs=options)
    catch_up_every = timedelta(seconds=app.bot_data.services.settings.index_catch_up_seconds)
    queue.run_repeating(catch_up_job, interval=catch_up_every, first=catch_up_every, name=INDEX_JOB,
                        job_kwargs=options)
    if app.bot_data.services.settings.retention_days is not None:
        queue.run_once(retention_job, 0, name=f"{RETENTION_JOB}-startup",
                       job_kwargs={"misfire_grace_time": None})
        queue.run_repeating(retention_job, interval=RETENTION_EVERY, first=RETENTION_EVERY,
                            name=RETENTION_JOB, job_kwargs=options)


def poll_feeds_soon(context: ClaimContext) -> None:
    """Poll due feeds now (a feed was just added) instead of at the next minute."""
    assert context.job_queue is not None
    context.job_queue.run_once(poll_feeds_job, 0, name=f"{FEEDS_JOB}-now",  # type: ignore[arg-type]
                               job_kwargs={"misfire_grace_time": None})
