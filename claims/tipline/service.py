"""The tipline half of the application service: posts, links, inline answers, unanswered questions.

``ClaimService.tipline`` is an instance of this class. Like ``FollowService`` it shares the
service's sessions and index, so only the service opens sessions; handlers reach it as
``services.claims.tipline``. Every method is blocking and one unit of work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from claims.catalog import Catalog
from claims.errors import ConfigError, InvalidArgumentError, NotFoundError
from claims.follow.schedule import parse_time, parse_weekday
from claims.normalize import ascii_number
from claims.search.documents import Match
from claims.search.live import LiveIndex
from claims.search.questions import log_question, page_of_answers
from claims.settings import Settings
from claims.store import db
from claims.store.models import QuestionKind, TeamDigestRun, utcnow
from claims.store.views import ClaimView, get_claims, list_claims
from claims.tipline import links as link_store
from claims.tipline.askers import asker_key, asker_salt, group_chat_id, random_salt
from claims.tipline.posts import MessageKind, PostMatches, StatementCheck, match_post, statements_in
from claims.tipline.unanswered import Unanswered, mark_handled, unanswered_groups

log = logging.getLogger(__name__)

LOG_WAIT_MS = 250
"""How long logging a question may wait for SQLite's write lock before the entry is dropped."""
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


class TiplineService:
    """Forwarded posts, links, inline answers and the team's list of unanswered questions."""

    def __init__(self, *, settings: Settings, engine: Engine, catalog: Catalog, index: LiveIndex,
                 session: Callable[[], AbstractContextManager[Session]],
                 ensure_index: Callable[[], None]) -> None:
        self.settings = settings
        self._engine = engine
        self._catalog = catalog
        self._index = index
        self.session = session
        self._ensure_index = ensure_index
        self._salt = asker_salt(settings) or random_salt()

    # ---------------------------------------------------------------------------- askers and the log

    def asker(self, user_id: int | None) -> str | None:
        """The pseudonym stored for a Telegram user (``None`` for no user)."""
        return asker_key(user_id, self._salt) if user_id is not None else None

    def log(self, text: str, *, kind: QuestionKind, matches: int, top_claim_id: int | None,
            user_id: int | None, chat_id: int | None) -> int | None:
        """Log a question or post, pseudonymised, in a short transaction of its own; dropped (with
        a warning) when the store is busy, so a long import never makes a reader wait."""
        try:
            with db.short_write(self._engine, wait_ms=LOG_WAIT_MS) as session:
                row = log_question(session=session, question=text, asker=self.asker(user_id),
                                   chat_id=group_chat_id(chat_id), matches=matches,
                                   top_claim_id=top_claim_id, kind=kind)
                return row.id
        except OperationalError as exc:
            log.warning("question not logged: the store is busy (%s)", type(exc.orig).__name__)
            return None

    # ---------------------------------------------------------------------------- posts and links

    def check(self, text: str, *, kind: MessageKind, urls: Sequence[str] = (), user_id: int | None = None,
              chat_id: int | None = None) -> TipCheck:
        """Check a post statement by statement and look up its links; record what we do not track.

        ``urls`` adds links the text does not spell out (Telegram's hidden text links). Nothing is
        fetched: a link is either a tracked article or written down for the team.
        """
        given = [u for u in map(link_store.clean_url, urls) if u]
        wanted = list(dict.fromkeys([*link_store.find_urls(text), *given]))[: link_store.MAX_LINKS]
        matched = PostMatches((), ())
        statements = statements_in(text, catalog=self._catalog) if kind is MessageKind.POST else []
        if statements:
            self._ensure_index()
        with self.session() as session:
            if statements:
                matched = match_post(text, statements, ask=self._index.ask,
                                     views=lambda ids: get_claims(session=session, claim_ids=ids))
            links = tuple(self._link(session, url) for url in wanted)
        result = TipCheck(kind, matched.statements, links, matched.whole)
        if kind is MessageKind.POST:
            found = result.found
            self.log(text, kind=QuestionKind.POST, matches=len(found),
                     top_claim_id=found[0].id if found else None, user_id=user_id, chat_id=chat_id)
        return result

    @staticmethod
    def _link(session: Session, url: str) -> LinkCheck:
        tracked = link_store.tracked_article(session=session, url=url)
        if tracked is not None:
            return LinkCheck(url, tracked)
        return LinkCheck(url, None, link_store.record_link(session=session, url=url).id)

    def link_url(self, link_id: int) -> str:
        """The URL of a recorded link (what an admin's Ingest button fetches)."""
        with self.session() as session:
            row = link_store.get_link(session=session, link_id=link_id)
            if row is None:
                raise NotFoundError("That link is no longer on record.")
            return row.url

    def link_ingested(self, link_id: int, article_id: int | None) -> None:
        """Take a link off the team's list once its article is in the store."""
        with self.session() as session:
            link_store.mark_link_handled(session=session, link_id=link_id, article_id=article_id)

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
                answer = page_of_answers(session=session, ask=self._index.ask, question=query, page=page,
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

    def handle(self, question_id: int, *, days: int) -> int:
        """The "handled" button: take the group holding ``question_id`` (as grouped now, over the
        same window) off the list; returns how many questions that closed (0: done already)."""
        since = utcnow() - timedelta(days=max(1, min(days, MAX_DAYS)))
        with self.session() as session:
            groups = unanswered_groups(session=session, since=since, most=10**6).groups
            group = next((g for g in groups if question_id in g.ids), None)
            return mark_handled(session=session, ids=group.ids if group else [question_id])

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
