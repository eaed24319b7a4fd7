"""Read use cases of the public fact-check pages and the desk (``bot/web``): one method per page,
each one session, returning plain views the templates render.

The pages read what the bot reads (the same claim views, history, ClaimReview record and matcher),
so a claim looks the same on the web, in ``/claim`` and in ``claimbot export``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlmodel import Session

from claims.errors import NotFoundError
from claims.search.questions import Answer
from claims.service.memo import ReadMemo
from claims.service.questions import Questions
from claims.service.transfer import Transfer
from claims.store.claimreview import RATINGS, claimreview_record
from claims.store.listing import ClaimPage, ClaimScope, claim_page
from claims.store.models import utcnow
from claims.store.names import resolve_speaker, resolve_topic
from claims.store.pages import (
    QueueFilter,
    SitemapEntries,
    SpeakerRef,
    claim_speaker,
    latest_verdicts,
    questions_per_day,
    review_queue,
    sitemap_entries,
    speaker_ref,
    speakers_named,
    store_version,
    topic_choices,
    verdicts_per_day,
    visible_topic,
)
from claims.store.topics import TopicActivity, topics_by_activity
from claims.store.views import ClaimView, NameCount, RevisionView, claim_history, get_claims
from claims.store.views import topics_with_counts as _topics_with_counts

SEARCH_RESULTS = 10
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ClaimSheet:
    """Everything a claim's public page shows."""

    view: ClaimView
    revisions: tuple[RevisionView, ...]
    speaker: SpeakerRef | None
    url: str | None
    """The page's own public address (``Settings.claim_page_template``), if configured."""
    review: dict[str, Any] | None
    """ClaimReview JSON-LD when the claim is live and has a verdict (and the page has an address)."""


@dataclass(frozen=True, slots=True)
class Listing:
    """A page of a speaker's or a topic's live claims, newest first, with the speakers to link."""

    title: str
    page: ClaimPage
    speakers: dict[str, SpeakerRef]
    speaker: SpeakerRef | None = None


@dataclass(frozen=True, slots=True)
class Found:
    """A search on the web: the bot's answer, the speakers to link, and (unanswered) the topics."""

    answer: Answer
    speakers: dict[str, SpeakerRef]
    topics: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Queue:
    """One page of the desk's review queue."""

    claims: tuple[ClaimView, ...]
    total: int
    counted_all: bool
    """False when more than ``total`` claims match (the count stops there)."""
    has_more: bool
    offset: int
    wanted: QueueFilter


@dataclass(frozen=True, slots=True)
class DeskCharts:
    """The series behind the desk's charts, one entry per day of the window (zero days included)."""

    days: tuple[date, ...]
    questions: tuple[int, ...]
    unanswered: tuple[int, ...]
    verdicts: dict[str, tuple[int, ...]]
    topics: tuple[NameCount, ...]


class Pages(Questions, Transfer):
    """The pages' reads for ``ClaimService``."""

    _memo: ReadMemo

    def claim_sheet(self, claim_id: int) -> ClaimSheet:
        """A claim's page; ``NotFoundError`` when there is no such claim (merged ones are returned:
        the page redirects to ``view.merged_into_id``)."""
        with self.session() as session:
            found = get_claims(session=session, claim_ids=[claim_id])  # one joined query, not five
            if not found:
                raise NotFoundError(f"There is no claim #{claim_id}.")
            view = found[0]
            revisions = tuple(claim_history(session=session, claim_id=claim_id))
            speaker = claim_speaker(session=session, claim_id=claim_id)
        template = self.settings.claim_page_template()
        url = template.replace("{id}", str(view.id)) if template else None
        review = None
        if url and view.status == "active" and view.verdict in RATINGS:
            review = claimreview_record(view, site=self.review_site(),
                                        speaker_kind=speaker.kind if speaker else "person")
        return ClaimSheet(view=view, revisions=revisions, speaker=speaker, url=url, review=review)

    def speaker_listing(self, speaker_id: int, *, limit: int, offset: int) -> Listing:
        with self.session() as session:
            speaker = speaker_ref(session=session, speaker_id=speaker_id)
            if speaker is None:
                raise NotFoundError(f"There is no speaker #{speaker_id}.")
            page = claim_page(session=session, scope=ClaimScope("speaker", speaker.id), limit=limit,
                              offset=offset, by_creation=True)
            return Listing(title=speaker.name, page=page, speakers={speaker.name: speaker}, speaker=speaker)

    def topic_listing(self, slug: str, *, limit: int, offset: int) -> Listing:
        with self.session() as session:
            topic = visible_topic(session=session, slug=slug)
            if topic is None or topic.id is None:
                raise NotFoundError(f"There is no topic {slug[:80]!r}.")
            page = claim_page(session=session, scope=ClaimScope("topic", topic.id), limit=limit,
                              offset=offset)
            names = [v.speaker for v in page.views if v.speaker]
            return Listing(title=topic.name, page=page,
                           speakers=speakers_named(session=session, names=names))

    def topic_slug(self, slug: str) -> str | None:
        """The slug a topic page lives under now (a merged topic's leads to its survivor)."""
        with self.session() as session:
            topic = visible_topic(session=session, slug=slug)
            return topic.slug if topic else None

    def search(self, question: str, *, limit: int = SEARCH_RESULTS) -> Found:
        """The bot's answer to a question typed on the web (not logged: crawlers are not readers),
        with the topics we know when nothing answers it."""
        answer = self.ask(question, per_page=limit, log_it=False, count_topics=False)
        with self.session() as session:
            names = [v.speaker for v in (*answer.claims, *answer.related) if v.speaker]
            return Found(answer=answer, speakers=speakers_named(session=session, names=names),
                         topics=() if answer.claims else tuple(topic_choices(session=session)))

    def sitemap(self) -> SitemapEntries:
        """What ``/sitemap.xml`` lists: up to 50,000 entries, kept while the store is unchanged."""
        with self.session() as session:
            return self._kept("sitemap", session, lambda: sitemap_entries(session=session))

    def front_topics(self, *, limit: int) -> tuple[TopicActivity, ...]:
        """The front page's topics, the most active lately first (``topics`` counts every live
        claim's dates: kept while the store is unchanged)."""
        with self.session() as session:
            return self._kept(f"front_topics:{limit}", session,
                              lambda: tuple(topics_by_activity(session=session, limit=limit)))

    def _kept(self, name: str, session: Session, read: Callable[[], T]) -> T:
        seconds = self.settings.web_cache_seconds
        if seconds <= 0:
            return read()
        return self._memo.get(name, version=store_version(session=session), seconds=seconds, read=read)

    def verdict_feed(self, *, most: int = 50) -> list[tuple[ClaimView, datetime]]:
        """The newest verdicts, newest first, with when each was given."""
        with self.session() as session:
            latest = latest_verdicts(session=session, most=most)
            views = {v.id: v for v in get_claims(session=session, claim_ids=[cid for cid, _ in latest])}
        return [(views[cid], at) for cid, at in latest if cid in views]

    # ------------------------------------------------------------------------ the desk

    def review_queue(self, *, topic: str = "", speaker: str = "", status: str | None = "active",
                     verdict: str | None = None, limit: int = 50, offset: int = 0) -> Queue:
        """The desk's queue; topic and speaker are names as typed (``AmbiguousNameError`` lists
        the choices, an unknown name is a ``NotFoundError``)."""
        with self.session() as session:
            topic_id = resolve_topic(session=session, text=topic).id if topic.strip() else None
            speaker_id = resolve_speaker(session=session, text=speaker).id if speaker.strip() else None
            wanted = QueueFilter(topic_id=topic_id, speaker_id=speaker_id, status=status or None,
                                 verdict=verdict or None)
            page = review_queue(session=session, wanted=wanted, limit=limit, offset=offset)
        return Queue(claims=tuple(page.views), total=page.total, counted_all=page.counted_all,
                     has_more=page.has_more, offset=offset, wanted=wanted)

    def topic_choices(self) -> list[tuple[str, str]]:
        """Every visible topic (slug, name) for the desk's filter; no counting, so it stays cheap."""
        with self.session() as session:
            return topic_choices(session=session)

    def desk_charts(self, *, days: int = 30) -> DeskCharts:
        """Questions per day and their unanswered share, verdicts per day, claims per topic."""
        today = utcnow().date()
        window = tuple(today - timedelta(days=n) for n in range(days - 1, -1, -1))
        since = datetime.combine(window[0], datetime.min.time(), tzinfo=utcnow().tzinfo)
        with self.session() as session:
            asked = {d: (n, u) for d, n, u in questions_per_day(session=session, since=since)}
            given = verdicts_per_day(session=session, since=since)
            topics = tuple(_topics_with_counts(session=session))
        per_verdict: dict[str, list[int]] = {}
        position = {d: i for i, d in enumerate(window)}
        for day, verdict, n in given:
            if day in position:
                per_verdict.setdefault(verdict, [0] * len(window))[position[day]] += n
        return DeskCharts(days=window, questions=tuple(asked.get(d, (0, 0))[0] for d in window),
                          unanswered=tuple(asked.get(d, (0, 0))[1] for d in window),
                          verdicts={k: tuple(v) for k, v in sorted(per_verdict.items())}, topics=topics)

