"""What admin commands report: ingests, changes and statistics.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.render.claims import claim_card, statement
from bot.render.html import esc, link, shorten
from claims.follow.delivery import DeliveryStats
from claims.follow.subscriptions import SubscriptionStats
from claims.ingest.pipeline import IngestReport
from claims.search.questions import QuestionStats
from claims.store.counts import StoreStats
from claims.store.views import ClaimView
from claims.tipline.retention import Erased, ErasureStats
from claims.wording import count

INGEST_LISTED = 12
"""New or revised claims listed after an ingest; the rest are a /claims away."""


def ingest_report(report: IngestReport, added: Sequence[ClaimView], tz: ZoneInfo) -> str:
    """What an ingested article did: counts, then the new and revised claims."""
    title = report.title or report.url or f"article {report.article_id}"
    head = f"<b>{link(report.url, shorten(title, 200))}</b> ({esc(report.status.value)})"
    if report.status.value == "unchanged":
        return f"{head}: unchanged, {count(len(report.unchanged), 'claim')} already known."
    counts = (f"{count(len(report.added), 'new claim')}, {len(report.revised):,} revised, "
              f"{len(report.appeared):,} already known from other sources, "
              f"{len(report.unchanged):,} unchanged")
    lines = [f"Ingested {head}: {counts}."]
    if added:
        lines.append("")
        lines.extend(claim_line(v) for v in added[:INGEST_LISTED])
    if len(added) > INGEST_LISTED:
        lines.append(f"… and {len(added) - INGEST_LISTED} more (see /claims).")
    return "\n".join(lines)


def claim_line(view: ClaimView) -> str:
    """A claim in one line: id, speaker and the start of its text."""
    return (f"#{view.id} <b>{esc(view.speaker or 'Unknown speaker')}</b>: "
            f"{statement(view, 140)}")


def change_done(what: str, view: ClaimView, tz: ZoneInfo) -> str:
    """The reply to ``/edit``, ``/verdict``, ``/retract`` and ``/merge``: what happened, then the claim."""
    return f"{esc(what)} Claim #{view.id} is now at revision {view.revision}.\n\n{claim_card(view, tz)}"


def stats(store: StoreStats, questions: QuestionStats, subscribers: SubscriptionStats | None = None,
          delivery: DeliveryStats | None = None, erasures: ErasureStats | None = None) -> str:
    lines = [
        "<b>claimbot statistics</b>",
        f"Claims: {store.claims:,} ({store.active_claims:,} active)",
        f"Speakers: {store.speakers:,}",
        f"Topics: {store.topics:,}",
        f"Articles: {store.articles:,}",
        f"Revisions in the last day: {store.revisions_last_day:,}",
        f"Questions in the last day: {questions.answered:,} answered, {questions.unanswered:,} unanswered",
    ]
    if subscribers is not None:
        why = ", ".join(f"{esc(k)}: {v:,}" for k, v in sorted(subscribers.paused_by_reason.items()))
        lines.append(f"Subscribers: {count(subscribers.subscribers, 'chat')}; subscriptions "
                     f"{subscribers.active:,} active, {subscribers.paused:,} paused"
                     + (f" ({why})" if why else ""))
    if delivery is not None:
        lines.append(f"Digests: {delivery.sent_last_day:,} sent in the last day "
                     f"({delivery.sent_total:,} in all), {delivery.pending + delivery.sending:,} waiting, "
                     f"{delivery.failed_last_day:,} failed in the last day ({delivery.failed:,} in all)")
    if erasures is not None:
        lines.append(f"Readers' data deleted: {count(erasures.requests, 'request')} to /forget "
                     f"({_erased(erasures.forgotten)}); by retention {_erased(erasures.expired)}")
    return "\n".join(lines)


def _erased(erased: Erased) -> str:
    return (f"{count(erased.questions, 'question')}, {count(erased.posts, 'post')}, "
            f"{count(erased.links, 'link')}, {count(erased.subscriptions, 'subscription')}")
