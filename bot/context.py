"""What every handler shares, typed: settings, the store, the matcher, flood control, buttons.

PTB hands handlers a ``CallbackContext``; ours (``ClaimContext``) exposes ``context.services`` so
handlers never fish string keys out of ``bot_data``. One session lives for one update: handlers
open it with ``services.session()`` and never ``await`` inside it (an await there would let another
update run while a pooled connection is held).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.render import CallbackCodec
from claims.catalog import Catalog
from claims.search.match import Matcher
from claims.search.questions import refresh_matcher
from claims.settings import Settings
from claims.store import db

if TYPE_CHECKING:
    from bot.jobs import Delivery


class FloodControl:
    """A token bucket per user: a burst of questions, then one every ``refill_seconds``.

    A user over the limit is told once per flood how long to wait; further messages are dropped
    silently, so a flood does not turn into a flood of replies.
    """

    def __init__(self, *, burst: int = 6, refill_seconds: float = 4.0, max_users: int = 50_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.burst = burst
        self.refill_seconds = refill_seconds
        self.max_users = max_users
        self.clock = clock
        self._buckets: OrderedDict[int, tuple[float, float, bool]] = OrderedDict()  # tokens, at, warned

    def check(self, user_id: int) -> float | None:
        """``None`` if the user may ask now; otherwise seconds to wait (negative: already warned)."""
        now = self.clock()
        tokens, at, warned = self._buckets.pop(user_id, (float(self.burst), now, False))
        tokens = min(float(self.burst), tokens + (now - at) / self.refill_seconds)
        if tokens >= 1.0:
            self._buckets[user_id] = (tokens - 1.0, now, False)
            wait = None
        else:
            self._buckets[user_id] = (tokens, now, True)
            wait = (1.0 - tokens) * self.refill_seconds
            wait = -wait if warned else wait
        while len(self._buckets) > self.max_users:
            self._buckets.popitem(last=False)
        return wait


@dataclass
class BotServices:
    """Built once by ``build_application``; the matcher arrives in ``post_init``, and the digest
    machinery (``delivery``) starts there."""

    settings: Settings
    engine: Engine
    catalog: Catalog
    codec: CallbackCodec
    tz: ZoneInfo
    flood: FloodControl = field(default_factory=FloodControl)
    matcher: Matcher | None = None
    delivery: Delivery | None = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back on any error."""
        with db.session_scope(self.engine) as session:
            yield session

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids

    @property
    def answers(self) -> Matcher:
        assert self.matcher is not None, "the matcher is built in post_init"
        return self.matcher

    @property
    def digests(self) -> Delivery:
        assert self.delivery is not None, "the digest machinery is set up by build_application"
        return self.delivery

    def claims_changed(self, claim_ids: Iterable[int]) -> None:
        """Keep the matcher current after ingest or an admin change (upsert or remove)."""
        with self.session() as session:
            refresh_matcher(session=session, matcher=self.answers, claim_ids=claim_ids)


class BotData:
    """The application's ``bot_data``: only the services (PTB builds it with no arguments)."""

    services: BotServices


class ClaimContext(CallbackContext[ExtBot[None], dict, dict, BotData]):
    """The context every handler receives, with ``services`` typed."""

    @property
    def services(self) -> BotServices:
        return self.bot_data.services


ClaimApp = Application[ExtBot[None], ClaimContext, dict, dict, BotData, JobQueue[ClaimContext]]
