"""The values the one door hands out and takes in: the view and result types of ``ClaimService``'s
methods, the errors and enums they carry, their JSON forms, and the ports the bot implements
(``Sender`` and its outcomes for digest delivery).

Why one module: the bot may import from ``claims`` only the service, these types, the errors, the
settings and the wording (an import-linter contract in ``pyproject.toml``). The types are defined
where the domain builds them; this module is the one place the bot learns their names, so a handler
or a renderer never reaches past the door into ``claims.store`` or ``claims.search``.
"""

from __future__ import annotations

from claims.follow.delivery import (
    DEFAULT_GRACE,
    ChatBlocked,
    ChatMigrated,
    ChatNotFound,
    DeliveryReport,
    DeliveryRunner,
    DeliveryStats,
    EnqueueReport,
    Limits,
    MessageRejected,
    RetryAfter,
    Sender,
)
from claims.follow.digest.compute import SETTLE
from claims.follow.digest.model import Digest, DigestGroup, DigestItem
from claims.follow.schedule import Schedule
from claims.follow.subscriptions import SubscribeResult, SubscriptionStats, SubscriptionView
from claims.follow.targets import AmbiguousTargetError, Target, parse_subscribe_args
from claims.ingest.feeds import FeedView, PollReport
from claims.ingest.pipeline import IngestReport
from claims.ingest.sources import ArticleInput
from claims.normalize import ascii_number
from claims.search.documents import Match
from claims.search.questions import Answer, QuestionStats
from claims.search.semantic import FillReport
from claims.service.browsing import Stats
from claims.service.editorial import SPEAKER_USAGE, TOPIC_USAGE, EditorialResult
from claims.service.ingest import Ingested, Seeded
from claims.service.positions import PositionChange, Timeline, TimelineEntry
from claims.service.semantic import SemanticStatus
from claims.service.tipline import InlinePage, LinkCheck, TeamList, TipCheck
from claims.service.transfer import ImportFile
from claims.store.archive import RestoreReport
from claims.store.counts import NameCount, StoreStats
from claims.store.history import Actor
from claims.store.listing import ClaimPage, ClaimScope
from claims.store.models import FeedStatus, ScheduleKind, SubscriptionStatus, TargetKind
from claims.store.positions import Earlier
from claims.store.topics import TopicActivity
from claims.store.transfer import ImportReport
from claims.store.views import ClaimView, RevisionView, SourceView, claim_to_json, revision_to_json
from claims.tipline.links import LinkView
from claims.tipline.posts import MessageKind, Tip, is_nudge
from claims.tipline.retention import Erased, ErasureStats
from claims.tipline.unanswered import QuestionGroup, Unanswered

__all__ = [
    "DEFAULT_GRACE",
    "SETTLE",
    "SPEAKER_USAGE",
    "TOPIC_USAGE",
    "Actor",
    "AmbiguousTargetError",
    "Answer",
    "ArticleInput",
    "ChatBlocked",
    "ChatMigrated",
    "ChatNotFound",
    "ClaimPage",
    "ClaimScope",
    "ClaimView",
    "DeliveryReport",
    "DeliveryRunner",
    "DeliveryStats",
    "Digest",
    "DigestGroup",
    "DigestItem",
    "Earlier",
    "EditorialResult",
    "EnqueueReport",
    "Erased",
    "ErasureStats",
    "FeedStatus",
    "FeedView",
    "FillReport",
    "ImportFile",
    "ImportReport",
    "IngestReport",
    "Ingested",
    "InlinePage",
    "Limits",
    "LinkCheck",
    "LinkView",
    "Match",
    "MessageKind",
    "MessageRejected",
    "NameCount",
    "PollReport",
    "PositionChange",
    "QuestionGroup",
    "QuestionStats",
    "RestoreReport",
    "RetryAfter",
    "RevisionView",
    "Schedule",
    "ScheduleKind",
    "Seeded",
    "SemanticStatus",
    "Sender",
    "SourceView",
    "Stats",
    "StoreStats",
    "SubscribeResult",
    "SubscriptionStats",
    "SubscriptionStatus",
    "SubscriptionView",
    "Target",
    "TargetKind",
    "TeamList",
    "Timeline",
    "TimelineEntry",
    "Tip",
    "TipCheck",
    "TopicActivity",
    "Unanswered",
    "ascii_number",
    "claim_to_json",
    "is_nudge",
    "parse_subscribe_args",
    "revision_to_json",
]
