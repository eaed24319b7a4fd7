"""The one door into the domain: ``ClaimService`` owns the store's engine, the catalog, the live
index and the fetch policy, opens every session, and offers one method per use case.

The bot's handlers and jobs, the offline console and the ``claimbot`` command all call these methods,
so a question is answered, an article ingested or a verdict recorded the same way whichever door it
came through. Methods are blocking (the bot runs them in a thread, off its event loop) and each is
one unit of work: one session, committed on success.

Nobody tells the index about changes: every write ends with ``catch_up()``, which reads the
revision log, and the bot also catches up on a short timer, which is how changes made by another
process (the CLI beside the bot, another replica) reach this one.

``ClaimService`` (in ``door``) is put together from one module per group of use cases, all sharing
``base.ServiceBase`` and its ``session()``: ``questions``, ``browsing``, ``ingest``, ``transfer``,
``changes``, ``following`` (subscriptions and digests), ``tipline`` (posts, links, inline answers,
the team's list) and ``editorial`` (speakers and topics), over ``index`` (the live index) and
``semantic`` (claim vectors). ``types`` names the values the door hands out: the bot imports
nothing else from ``claims`` but errors, settings and wording (an import-linter contract).
"""

from claims.service.door import ClaimService

__all__ = ["ClaimService"]
