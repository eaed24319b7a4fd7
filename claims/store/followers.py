"""Subscriptions that follow a speaker or topic merged into another: they follow the survivor."""

from __future__ import annotations

from sqlmodel import Session, select

from claims.store.models import Subscription, TargetKind


def move_followers(session: Session, kind: TargetKind, source_id: int, into_id: int) -> None:
    """Chats that followed the merged speaker or topic now follow the survivor; a chat that already
    followed both keeps one subscription, so its digests do not repeat each change."""
    same_kind = Subscription.target_kind == kind.value
    already = set(session.exec(
        select(Subscription.chat_id).where(same_kind, Subscription.target_id == into_id)))
    for sub in session.exec(select(Subscription).where(same_kind, Subscription.target_id == source_id)):
        if sub.chat_id in already:
            session.delete(sub)
        else:
            sub.target_id = into_id
            session.add(sub)
    session.flush()
