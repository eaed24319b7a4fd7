"""The desk, for admins: sign-in with the Telegram Login Widget, the review queue, the verdict, edit,
retract and merge forms, the unanswered questions, and the charts.

One gatekeeper (``DeskGate``) guards everything under ``/desk``: without a valid session a page
redirects to the sign-in and any other method is refused, before a route runs. Every form carries
a CSRF token bound to the session (``form_of`` checks it). A change is the same ``ClaimService``
call as the bot's admin command, with the signed-in admin as the revision's author, so it shows in
the bot's ``/history`` with their name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.web import charts
from bot.web.auth import COOKIE, SESSION_SECONDS, Admin, LoginRefused, check_login
from bot.web.context import WebContext, web_context
from bot.web.security import LOGIN_CSP
from claims.errors import InvalidArgumentError, NotFoundError
from claims.service.types import Actor

QUEUE_PAGE = 50
MAX_FORM_CHARS = 4000
NO_STORE = {"cache-control": "no-store"}


class DeskGate:
    """Lets a request into ``/desk`` only with a valid session of a current admin."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        web = web_context(request)
        admin = web.signer.admin(request.cookies.get(COOKIE), admin_ids=web.settings.admin_ids) \
            if web.signer else None
        if admin is None:
            if request.method in {"GET", "HEAD"}:
                response: Response = RedirectResponse("/auth/login", status_code=303, headers=NO_STORE)
            else:
                response = PlainTextResponse("Sign in to the desk first.", status_code=403, headers=NO_STORE)
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["admin"] = admin
        await self.app(scope, receive, send)


def _admin(request: Request) -> Admin:
    admin: Admin = request.state.admin
    return admin


def _page(web: WebContext, request: Request, name: str, status_code: int = 200, **context: Any
          ) -> Response:
    """A desk page: with the CSRF token its forms need, never cached."""
    assert web.signer is not None  # the gate let the request in
    csrf = web.signer.csrf(request.cookies.get(COOKIE, ""))
    return web.render(request, name, status_code, headers=NO_STORE, admin=_admin(request), csrf=csrf,
                      **context)


async def form_of(request: Request) -> FormData:
    """The posted form, refused (403) unless its CSRF token belongs to this session."""
    web = web_context(request)
    form = await request.form(max_files=0, max_fields=20)
    token = form.get("csrf")
    if web.signer is None or not isinstance(token, str) or \
            not web.signer.csrf_ok(request.cookies.get(COOKIE, ""), token):
        raise HTTPException(403, "This form has expired; reload the page and try again.")
    return form


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value[:MAX_FORM_CHARS].strip() if isinstance(value, str) else ""


# ---------------------------------------------------------------------------- signing in


async def login(request: Request) -> Response:
    web = web_context(request)
    return web.render(request, "login.html", signer=web.signer is not None, bot=web.bot_username,
                      headers={"content-security-policy": LOGIN_CSP, **NO_STORE})


async def telegram_callback(request: Request) -> Response:
    """Where the Login Widget sends the browser with the signed fields in the query string."""
    web = web_context(request)
    token = web.settings.telegram_token
    if web.signer is None or token is None:
        raise HTTPException(403, "The desk needs the bot token (CLAIMBOT_TELEGRAM_TOKEN) to check sign-ins.")
    try:
        admin = check_login(dict(request.query_params), token=token.get_secret_value(),
                            admin_ids=web.settings.admin_ids)
    except LoginRefused as exc:
        return web.render(request, "error.html", 403, headers=NO_STORE, title="Sign-in refused",
                          message=str(exc))
    response = RedirectResponse("/desk/", status_code=303, headers=NO_STORE)
    response.set_cookie(COOKIE, web.signer.cookie(admin), max_age=SESSION_SECONDS, path="/",
                        httponly=True, samesite="lax", secure=request.url.scheme == "https")
    return response


async def logout(request: Request) -> Response:
    await form_of(request)
    response = RedirectResponse("/", status_code=303, headers=NO_STORE)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax",
                           secure=request.url.scheme == "https")
    return response


# ---------------------------------------------------------------------------- the queue and a claim


def _choice(params: Mapping[str, str], name: str, default: str = "") -> str:
    return " ".join(params.get(name, default).split())[:200]


async def queue(request: Request) -> Response:
    web = web_context(request)
    params = request.query_params
    wanted = {"topic": _choice(params, "topic"), "speaker": _choice(params, "speaker"),
              "status": _choice(params, "status", "active"), "verdict": _choice(params, "verdict")}
    page = int(params["page"]) if params.get("page", "").isdigit() and int(params["page"]) > 0 else 1
    error, found = None, None
    try:
        found = await web.call(web.claims.review_queue, **wanted, limit=QUEUE_PAGE,
                               offset=(page - 1) * QUEUE_PAGE)
    except (InvalidArgumentError, NotFoundError) as exc:
        error = str(exc)
    topics = await web.call(web.claims.topic_choices)
    query = {k: v for k, v in wanted.items() if v}
    return _page(web, request, "desk/queue.html", 400 if error else 200, queue=found, error=error,
                 wanted=wanted, topics=topics, page=page, per_page=QUEUE_PAGE,
                 query=lambda **more: urlencode({**query, **more}))


async def claim(request: Request) -> Response:
    web = web_context(request)
    return await _claim_page(web, request, request.path_params["claim_id"])


async def _claim_page(web: WebContext, request: Request, claim_id: int, *, error: str | None = None
                      ) -> Response:
    sheet = await web.call(web.claims.claim_sheet, claim_id)
    return _page(web, request, "desk/claim.html", 400 if error else 200, sheet=sheet, c=sheet.view,
                 error=error, done=request.query_params.get("done", "")[:20])


async def change(request: Request) -> Response:
    """The verdict, edit, retract and merge forms: one service call each, the admin as author."""
    web = web_context(request)
    claim_id, action = request.path_params["claim_id"], request.path_params["action"]
    form = await form_of(request)
    admin = _admin(request)
    actor = Actor(id=admin.id, name=admin.name)
    shown = claim_id
    try:
        if action == "verdict":
            await web.call(web.claims.set_verdict, claim_id, _field(form, "verdict"),
                           note=_field(form, "note") or None, actor=actor)
        elif action == "edit":
            await web.call(web.claims.edit, claim_id, _field(form, "text"), actor=actor)
        elif action == "retract":
            await web.call(web.claims.retract, claim_id, reason=_field(form, "reason") or None, actor=actor)
        elif action == "merge":
            into = _field(form, "into").lstrip("#")
            if not into.isdigit():
                raise InvalidArgumentError("Give the number of the claim to merge into.")
            shown = (await web.call(web.claims.merge, claim_id, int(into), actor=actor)).id
        else:
            raise NotFoundError("There is no such change.")
    except InvalidArgumentError as exc:
        return await _claim_page(web, request, claim_id, error=str(exc))
    return RedirectResponse(f"/desk/claims/{shown}?done={action}", status_code=303, headers=NO_STORE)


# ---------------------------------------------------------------------------- unanswered and charts


def _days(request: Request) -> int:
    raw = request.query_params.get("days", "7")
    return max(1, min(int(raw), 365)) if raw.isdigit() else 7


async def unanswered(request: Request) -> Response:
    web = web_context(request)
    days = _days(request)
    team = await web.call(web.claims.unanswered, days, most=50)
    return _page(web, request, "desk/unanswered.html", team=team, days=days)


async def handled(request: Request) -> Response:
    web = web_context(request)
    form = await form_of(request)
    days = int(_field(form, "days")) if _field(form, "days").isdigit() else 7
    await web.call(web.claims.mark_handled, request.path_params["question_id"], days=max(1, min(days, 365)))
    return RedirectResponse(f"/desk/unanswered?days={days}", status_code=303, headers=NO_STORE)


async def stats(request: Request) -> Response:
    web = web_context(request)
    series = await web.call(web.claims.desk_charts, days=30)
    return _page(web, request, "desk/stats.html", series=series, charts=charts.desk_charts(series))


def routes() -> list[BaseRoute]:
    desk = [
        Route("/", queue),
        Route("/claims/{claim_id:int}", claim),
        Route("/claims/{claim_id:int}/{action:str}", change, methods=["POST"]),
        Route("/unanswered", unanswered),
        Route("/unanswered/{question_id:int}/handled", handled, methods=["POST"]),
        Route("/stats", stats),
        Route("/logout", logout, methods=["POST"]),
    ]
    return [
        Route("/auth/login", login),
        Route("/auth/telegram", telegram_callback),
        Mount("/desk", routes=desk, middleware=[Middleware(DeskGate)]),
    ]
