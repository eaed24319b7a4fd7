"""The tipline's use cases of ``ClaimService``: posts, links, inline answers, unanswered questions
(``claims.tipline`` holds the domain rules). Every method is blocking and one unit of work."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from claims.errors import ConfigError, InvalidArgumentError, NotFoundError
from claims.follow.schedule import parse_time, parse_weekday
from claims.normalize import ascii_number
from claims.search.documents import Match
from claims.search.questions import page_of_answers
from claims.service.ingest import Ingest, Ingested
from claims.service.questions import Questions
from claims.settings import Settings
from claims.store.models import QuestionKind, TeamDigestRun, utcnow
from claims.store.views import ClaimView, get_claims, list_claims
from claims.tipline import links as link_store
from claims.tipline.posts import MessageKind, PostMatches, StatementCheck, match_post, statements_in
from claims.tipline.unanswered import Unanswered, unanswered_groups
from claims.tipline.unanswered import mark_handled as close_questions

log = logging.getLogger(__name__)

INLINE_PER_PAGE = 10
INLINE_PAGES = 5
"""Inline answers stop after this many pages: past fifty claims a reader should refine the words."""
MAX_DAYS = 365


@dataclass(frozen=True, slots=True)
class LinkCheck:
    """One link in a message: the tracked article behind it, or the team's record of it."""

    url: str
    tracked: link_store.TrackedArticle | None
    link_id: int | None = None  # set when the link is not tracked and was recorded for the team


@dataclass(frozen=True, slots=True)
class TipCheck:
    """What a forwarded post, a long text or a link holds that we track."""

    kind: MessageKind
    statements: tuple[StatementCheck, ...]
    links: tuple[LinkCheck, ...]
    whole: tuple[tuple[Match, ClaimView], ...] = ()  # what the post as a whole matches

    @property
    def found(self) -> tuple[ClaimView, ...]:
        """Every tracked claim found, once, in the order shown."""
        seen: dict[int, ClaimView] = {}
        for check in self.statements:
            for _, view in check.found:
                seen.setdefault(view.id, view)
        for _, view in self.whole:
            seen.setdefault(view.id, view)
        for link in self.links:
            for view in link.tracked.claims if link.tracked else ():
                seen.setdefault(view.id, view)
        return tuple(seen.values())

    @property
    def untracked(self) -> tuple[StatementCheck, ...]:
        return tuple(c for c in self.statements if not c.found)


@dataclass(frozen=True, slots=True)
class InlinePage:
    """One page of inline answers and the offset Telegram should send for the next ("" for none)."""

    claims: tuple[ClaimView, ...]
    next_offset: str


@dataclass(frozen=True, slots=True)
class TeamList:
    """What the team sees in ``/unanswered`` and the weekly digest."""

    days: int
    unanswered: Unanswered
    links: tuple[link_store.LinkView, ...]
    open_links: int

    @property
    def empty(self) -> bool:
        return not self.unanswered.groups and not self.links


class Tipline(Questions, Ingest):
    """Forwarded posts, links, inline answers and the team's list of unanswered questions."""

    # ---------------------------------------------------------------------------- posts and links

    def check_message(self, text: str, *, kind: MessageKind, urls: Sequence[str] = (),
                      user_id: int | None = None, chat_id: int | None = None) -> TipCheck:
        """Check a post statement by statement and look up its links; record what we do not track.

        ``urls`` adds links the text does not spell out (Telegram's hidden text links). Nothing is
        fetched: a link is either a tracked article or written down for the team.
        """
        given = [u for u in map(link_store.clean_url, urls) if u]
        wanted = list(dict.fromkeys([*link_store.find_urls(text), *given]))[: link_store.MAX_LINKS]
        matched = PostMatches((), ())
        statements = statements_in(text, catalog=self.catalog) if kind is MessageKind.POST else []
        if statements:
            self._ensure_index()
        with self.session() as session:
            if statements:
                matched = match_post(text, statements, ask=self.index.ask,
                                     views=lambda ids: get_claims(session=session, claim_ids=ids))
            links = tuple(self._link(session, url) for url in wanted)
        result = TipCheck(kind, matched.statements, links, matched.whole)
        if kind is MessageKind.POST:
            found = result.found
            self.log_message(text, kind=QuestionKind.POST, matches=len(found),
                     top_claim_id=found[0].id if found else None, user_id=user_id, chat_id=chat_id)
        return result

    @staticmethod
    def _link(session: Session, url: str) -> LinkCheck:
        tracked = link_store.tracked_article(session=session, url=url)
        if tracked is not None:
            return LinkCheck(url, tracked)
        return LinkCheck(url, None, link_store.record_link(session=session, url=url).id)

    def ingest_link(self, link_id: int) -> Ingested:
        """An admin's Ingest button on a link a reader sent: fetch it, ingest it, and take it off the
        team's list."""
        with self.session() as session:
            row = link_store.get_link(session=session, link_id=link_id)
            if row is None:
                raise NotFoundError("That link is no longer on record.")
            url = row.url
        done = self.ingest_url(url)
        with self.session() as session:
            link_store.mark_link_handled(session=session, link_id=link_id, article_id=done.report.article_id)
        return done

    # ---------------------------------------------------------------------------- inline mode

    def inline(self, query: str, *, offset: str = "", per_page: int = INLINE_PER_PAGE) -> InlinePage:
        """A page of claims for ``@bot query`` (the newest claims for an empty query); not logged,
        because Telegram sends a query for every pause in typing."""
        page = ascii_number(offset, digits=3) or 0
        if page >= INLINE_PAGES:
            return InlinePage((), "")
        query = " ".join(query.split())
        with self.session() as session:
            if not query:
                views = list_claims(session=session, limit=per_page + 1, offset=page * per_page)
                more = len(views) > per_page
                claims = tuple(views[:per_page])
            else:
                self._ensure_index()
                answer = page_of_answers(session=session, ask=self.index.ask, question=query, page=page,
                                         per_page=per_page)
                more, claims = answer.has_more, answer.claims
        nxt = str(page + 1) if more and claims and page + 1 < INLINE_PAGES else ""
        return InlinePage(claims, nxt)

    # ---------------------------------------------------------------------------- the team's list

    def unanswered(self, days: int = 7, *, most: int = 10) -> TeamList:
        """Unanswered questions of the last ``days`` days grouped, and links we do not track."""
        if not 1 <= days <= MAX_DAYS:
            raise InvalidArgumentError(f"The number of days must be between 1 and {MAX_DAYS}.")
        since = utcnow() - timedelta(days=days)
        with self.session() as session:
            return self._team_list(session, days, since, most)

    @staticmethod
    def _team_list(session: Session, days: int, since: datetime, most: int) -> TeamList:
        groups = unanswered_groups(session=session, since=since, most=most)
        links, total = link_store.open_links(session=session, since=since, most=most)
        return TeamList(days, groups, tuple(links), total)

    def mark_handled(self, question_id: int, *, days: int) -> int:
        """The "handled" button: take the group holding ``question_id`` (as grouped now, over the
        same window) off the list; returns how many questions that closed (0: done already)."""
        since = utcnow() - timedelta(days=max(1, min(days, MAX_DAYS)))
        with self.session() as session:
            groups = unanswered_groups(session=session, since=since, most=10**6).groups
            group = next((g for g in groups if question_id in g.ids), None)
            return close_questions(session=session, ids=group.ids if group else [question_id])

    def weekly_digest(self, now: datetime | None = None) -> TeamList | None:
        """The admins' weekly list, once per ISO week across every bot process on this database:
        ``None`` when another process (or an earlier run) already took this week."""
        now = now or utcnow()
        year, week, _ = now.astimezone(ZoneInfo(self.settings.timezone)).isocalendar()
        try:
            with self.session() as session:
                session.add(TeamDigestRun(week=f"{year}-W{week:02d}", sent_at=now))
                session.flush()
        except IntegrityError:
            return None
        with self.session() as session:
            return self._team_list(session, 7, now - timedelta(days=7), 10)


def digest_slot(settings: Settings) -> tuple[int, int, int] | None:
    """When the weekly digest goes out: (weekday with Monday 0, hour, minute), or ``None`` for never."""
    if not settings.unanswered_digest:
        return None
    day, at = settings.unanswered_digest.split()
    try:
        return (parse_weekday(day), *parse_time(at))
    except InvalidArgumentError as exc:
        raise ConfigError(f"CLAIMBOT_UNANSWERED_DIGEST: {exc}") from None
