"""The web adapter's factory: ``build_web_app(claims)`` gives the ASGI app of the public fact-check
pages and the desk, over the same ``ClaimService`` the bot uses.

Like the bot, the web parses a request, calls one service method (in a worker thread: the service
blocks) and renders the result; it opens no session and reads no table. ``claimbot web`` serves it
alone, ``claimbot run --web`` beside the bot's webhook (``bot.web.serve``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from bot.heap import freeze_loaded_state
from bot.web import desk, filters, public
from bot.web.auth import SessionSigner
from bot.web.context import WebContext, web_context
from bot.web.security import SecurityHeaders
from claims.errors import NotFoundError
from claims.service import ClaimService

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent


def _templates(tz: ZoneInfo) -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(["html", "xml", "atom"], default=True),
                      trim_blocks=True, lstrip_blocks=True)
    filters.install(env, tz)
    return Jinja2Templates(env=env)


async def _not_found(request: Request, exc: Exception) -> Response:
    web = web_context(request)
    message = str(exc) if isinstance(exc, NotFoundError) else "There is no such page."
    return web.render(request, "error.html", 404, title="Not found", message=message)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    web = web_context(request)
    return web.render(request, "error.html", exc.status_code, headers=exc.headers,
                      title=f"Error {exc.status_code}", message=exc.detail)


async def _keep_current(web: WebContext) -> None:
    """Changes made by other processes (the bot, the CLI) reach this process's search, as in the bot."""
    settings = web.settings
    while True:
        await asyncio.sleep(settings.index_catch_up_seconds)
        try:
            await web.call(web.claims.catch_up)
            await web.call(web.claims.save_index, every_seconds=settings.index_save_minutes * 60)
        except Exception:
            log.exception("Catching the index up failed; trying again at the next interval")


def build_web_app(claims: ClaimService, *, extra_routes: Sequence[BaseRoute] = (),
                  load_index: bool = True, keep_index: bool = False, bot_username: str | None = None,
                  freeze_heap: bool = False) -> Starlette:
    """The pages and the desk over ``claims``. ``extra_routes`` come first (the bot's webhook in
    ``claimbot run --web``); ``load_index`` loads the matcher at start-up, before the first search;
    ``keep_index`` also catches it up from the revision log on the bot's timer and saves it at the
    end (``claimbot web`` alone: nobody else does it in this process); ``freeze_heap`` freezes the
    start-up state after that (``bot.heap``; ``claimbot web``, not tests)."""
    settings = claims.settings
    tz = ZoneInfo(settings.timezone)
    token = settings.telegram_token.get_secret_value() if settings.telegram_token else None
    web = WebContext(claims=claims, templates=_templates(tz), tz=tz,
                     signer=SessionSigner(token) if token else None, bot_username=bot_username)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if load_index or keep_index:
            await web.call(claims.load_index)
        if freeze_heap:
            freeze_loaded_state()
        upkeep = asyncio.create_task(_keep_current(web)) if keep_index else None
        try:
            yield
        finally:
            if upkeep is not None:
                upkeep.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await upkeep
                await web.call(claims.save_index)

    routes: list[BaseRoute] = [
        *extra_routes,
        *public.routes(),
        *desk.routes(),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    middleware=[Middleware(SecurityHeaders)],
                    exception_handlers={404: _not_found, NotFoundError: _not_found,
                                        HTTPException: _http_error})
    app.state.web = web
    return app
