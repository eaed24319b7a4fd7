"""The claim store's tables, one module per concept; every table and type is importable from here,
which is also how Alembic sees them all (importing this package registers them on
``SQLModel.metadata``).

Claims carry their current state for fast reads; ``ClaimRevision`` rows are the append-only history
from which that state was reached. Timestamps are timezone-aware UTC everywhere.

- ``columns``: ids, the clock and timestamp columns every table uses
- ``sources``: articles and feeds
- ``entities``: speakers, topics and admins' changes to them
- ``claim``: claims, their revisions and appearances
- ``follow``: subscriptions, saved searches, the digest outbox and the shared send budget
- ``tipline``: questions, reported links and the team digest
- ``positions``: a claim's earlier claim on the same subject, and changed positions
"""

from claims.store.models.claim import (
    ChangeKind,
    Claim,
    ClaimAppearance,
    ClaimKind,
    ClaimRevision,
    ClaimStatus,
    ClaimTopic,
    Verdict,
)
from claims.store.models.columns import (
    MAX_ID,
    AwareDateTime,
    is_storable_id,
    utcnow,
)
from claims.store.models.entities import (
    AliasKind,
    EntityChange,
    PhraseSighting,
    Speaker,
    SpeakerAlias,
    SpeakerKind,
    Topic,
    TopicKind,
)
from claims.store.models.follow import (
    ChatPreference,
    DigestOutbox,
    OutboxStatus,
    SavedSearch,
    ScheduleKind,
    SendBudget,
    Subscription,
    SubscriptionStatus,
    TargetKind,
)
from claims.store.models.positions import PositionLink
from claims.store.models.sources import (
    Article,
    Feed,
    FeedStatus,
)
from claims.store.models.tipline import (
    Erasure,
    QuestionKind,
    QuestionLog,
    ReportedLink,
    TeamDigestRun,
)

__all__ = [
    "MAX_ID",
    "AliasKind",
    "Article",
    "AwareDateTime",
    "ChangeKind",
    "ChatPreference",
    "Claim",
    "ClaimAppearance",
    "ClaimKind",
    "ClaimRevision",
    "ClaimStatus",
    "ClaimTopic",
    "DigestOutbox",
    "EntityChange",
    "Erasure",
    "Feed",
    "FeedStatus",
    "OutboxStatus",
    "PhraseSighting",
    "PositionLink",
    "QuestionKind",
    "QuestionLog",
    "ReportedLink",
    "SavedSearch",
    "ScheduleKind",
    "SendBudget",
    "Speaker",
    "SpeakerAlias",
    "SpeakerKind",
    "Subscription",
    "SubscriptionStatus",
    "TargetKind",
    "TeamDigestRun",
    "Topic",
    "TopicKind",
    "Verdict",
    "is_storable_id",
    "utcnow",
]
