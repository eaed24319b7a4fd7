"""What every web route shares: the service door, the templates, the session signer and the
search limiter, typed (``request.app.state.web``), and the one way a route calls the service."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from bot.flood import FloodControl
from bot.web.auth import SessionSigner
from claims.service import ClaimService
from claims.settings import Settings

P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class WebContext:
    """What every route shares, typed (``request.app.state.web``)."""

    claims: ClaimService
    templates: Jinja2Templates
    tz: ZoneInfo
    signer: SessionSigner | None
    """None without a bot token: the pages work, nobody can sign in to the desk."""
    search_flood: FloodControl = field(default_factory=lambda: FloodControl(burst=20, refill_seconds=1.0))
    bot_username: str | None = None
    """For the login widget; ``claimbot run --web`` knows it, ``claimbot web`` asks getMe."""
    _rendered: dict[str, tuple[object, str, bytes]] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.claims.settings

    async def call(self, func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """A service method in a worker thread, so a slow query never blocks other requests."""
        return await run_in_threadpool(func, *args, **kwargs)

    def render(self, request: Request, name: str, status_code: int = 200, *, media_type: str | None = None,
               headers: Mapping[str, str] | None = None, **context: Any) -> Response:
        """A template rendered with ``context`` (autoescaped: every stored text is escaped)."""
        return self.templates.TemplateResponse(request, name, context, status_code=status_code,
                                               media_type=media_type, headers=headers)

    def render_kept(self, request: Request, name: str, source: object, *, base: str, media_type: str,
                    **context: Any) -> Response:
        """A page drawn only from ``source``, a value the service keeps while the store is unchanged
        (``ClaimService.sitemap``): rendered once per such value and public root, since drawing
        50,000 sitemap entries holds the event loop for a third of a second."""
        kept = self._rendered.get(name)
        if kept is None or kept[0] is not source or kept[1] != base:
            body = self.templates.get_template(name).render(request=request, base=base, **context)
            kept = self._rendered[name] = (source, base, body.encode())
        return Response(kept[2], media_type=media_type)


def web_context(request: Request) -> WebContext:
    web: WebContext = request.app.state.web
    return web
