"""Handlers grouped by feature, registered in one place with explicit groups.

Group -3 is the per-user flood gate (``flood``: it stops a flood before anything else runs); group -2
resumes the digests of a chat that was unreachable and now writes again (it never stops
the update); group -1 is the admin gatekeeper; group 0 holds every feature's handlers, the
tipline's (posts, links, inline) before the catch-alls of ``ask``, which come last (within a group
the first matching handler wins).
"""

from __future__ import annotations

from telegram.ext import Application

from bot.context import BotServices
from bot.handlers import (
    admin,
    ask,
    browse,
    buttons,
    editorial,
    errors,
    flood,
    forget,
    start,
    subscriptions,
    timeline,
    tipline,
)

FLOOD_GROUP = -3
RESUME_GROUP = -2
GATEKEEPER_GROUP = -1
FEATURES_GROUP = 0


def register(app: Application, services: BotServices) -> None:  # type: ignore[type-arg]
    admin_ids = services.settings.admin_ids
    app.add_handlers(flood.handlers(), group=FLOOD_GROUP)
    app.add_handlers(subscriptions.resume_handlers(), group=RESUME_GROUP)
    app.add_handlers(admin.gatekeeper(admin_ids), group=GATEKEEPER_GROUP)
    app.add_handlers(
        [*start.handlers(), *browse.handlers(), *subscriptions.handlers(), *forget.handlers(),
         *admin.handlers(admin_ids),
         *editorial.handlers(admin_ids), *timeline.handlers(admin_ids), *tipline.handlers(services.settings),
         *buttons.handlers(),
         *buttons.fallback_handlers(), *ask.handlers()],
        group=FEATURES_GROUP,
    )
    app.add_error_handler(errors.on_error)  # type: ignore[arg-type]
