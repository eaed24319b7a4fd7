"""The fact-checking desk's changes to a claim (edit, verdict, retract, merge): each one a numbered
revision with its author, then indexed."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from claims.service.index import IndexUpkeep
from claims.store import history
from claims.store.history import Actor
from claims.store.views import ClaimView, get_claim


class Changes(IndexUpkeep):
    """Admins' changes to claims for ``ClaimService`` (the bot's admin commands, ``claimbot verdict``...)."""

    def _change(self, change: Callable[[Session], object], show: int) -> ClaimView:
        with self.session() as session:
            change(session)
            session.flush()
            view = get_claim(session=session, claim_id=show)
        self.catch_up()
        return view

    def edit(self, claim_id: int, text: str, *, actor: Actor) -> ClaimView:
        return self._change(lambda s: history.edit_claim(session=s, claim_id=claim_id, text=text,
                                                         actor=actor), claim_id)

    def set_verdict(self, claim_id: int, verdict: str, *, note: str | None, actor: Actor) -> ClaimView:
        return self._change(lambda s: history.set_verdict(session=s, claim_id=claim_id, verdict=verdict,
                                                          note=note, actor=actor), claim_id)

    def retract(self, claim_id: int, *, reason: str | None, actor: Actor) -> ClaimView:
        return self._change(lambda s: history.retract_claim(session=s, claim_id=claim_id, reason=reason,
                                                            actor=actor), claim_id)

    def merge(self, claim_id: int, into_id: int, *, actor: Actor) -> ClaimView:
        return self._change(lambda s: history.merge_claims(session=s, claim_id=claim_id, into_id=into_id,
                                                           actor=actor), into_id)
