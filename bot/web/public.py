"""The public pages: a claim's fact check, a speaker's timeline, a topic, search, and the feeds
(``/sitemap.xml``, ``/verdicts.atom``). No sign-in, no JavaScript; every route reads through one
``ClaimService`` call."""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.web.context import web_context
from bot.web.filters import speaker_path
from claims.errors import NotFoundError

PER_PAGE = 20
MAX_QUESTION_CHARS = 500
_SPEAKER_REF = re.compile(r"^(\d{1,12})(?:-[\w-]*)?$")


def _page(request: Request) -> int:
    """``?page=N`` (1 and up; anything else is page 1)."""
    raw = request.query_params.get("page", "1")
    return max(1, min(int(raw), 100_000)) if raw.isdigit() else 1


def _base(request: Request) -> str:
    """The public root: ``CLAIMBOT_WEB_BASE_URL``, else what this request was addressed to."""
    configured = web_context(request).settings.web_base_url
    return configured or str(request.base_url).rstrip("/")


async def home(request: Request) -> Response:
    web = web_context(request)
    latest = await web.call(web.claims.verdict_feed, most=10)
    topics = await web.call(web.claims.front_topics, limit=30)
    return web.render(request, "home.html", latest=latest, topics=topics)


async def claim(request: Request) -> Response:
    web = web_context(request)
    sheet = await web.call(web.claims.claim_sheet, request.path_params["claim_id"])
    if sheet.view.status == "merged" and sheet.view.merged_into_id:
        return RedirectResponse(f"/claims/{sheet.view.merged_into_id}", status_code=301)
    return web.render(request, "claim.html", sheet=sheet, c=sheet.view,
                      page_url=sheet.url or f"{_base(request)}/claims/{sheet.view.id}")


async def speaker(request: Request) -> Response:
    web = web_context(request)
    ref = _SPEAKER_REF.match(request.path_params["ref"])
    if ref is None:
        raise NotFoundError("There is no such speaker.")
    page = _page(request)
    listing = await web.call(web.claims.speaker_listing, int(ref.group(1)), limit=PER_PAGE,
                             offset=(page - 1) * PER_PAGE)
    assert listing.speaker is not None
    canonical = speaker_path(listing.speaker.id, listing.speaker.name)
    if request.url.path != canonical:
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(canonical + query, status_code=301)
    return web.render(request, "listing.html", listing=listing, page=page, per_page=PER_PAGE,
                      timeline=True, path=canonical)


async def topic(request: Request) -> Response:
    web = web_context(request)
    slug = request.path_params["slug"]
    page = _page(request)
    current = await web.call(web.claims.topic_slug, slug)
    if current is None:
        raise NotFoundError(f"There is no topic “{slug[:80]}”.")
    if current != slug:
        return RedirectResponse(f"/topics/{current}", status_code=301)
    listing = await web.call(web.claims.topic_listing, slug, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return web.render(request, "listing.html", listing=listing, page=page, per_page=PER_PAGE,
                      timeline=False, path=f"/topics/{slug}")


async def search(request: Request) -> Response:
    web = web_context(request)
    question = " ".join(request.query_params.get("q", "").split())[:MAX_QUESTION_CHARS]
    if not question:
        topics = await web.call(web.claims.topic_choices)
        return web.render(request, "search.html", question="", answer=None, speakers={}, topics=topics)
    client = request.client.host if request.client else "unknown"
    wait = web.search_flood.check(client)
    if wait is not None:
        seconds = max(1, round(abs(wait)))
        raise HTTPException(429, f"Too many searches from here; try again in {seconds} s.",
                            headers={"Retry-After": str(seconds)})
    found = await web.call(web.claims.search, question)
    return web.render(request, "search.html", question=question, answer=found.answer, speakers=found.speakers,
                      topics=found.topics)


async def sitemap(request: Request) -> Response:
    web = web_context(request)
    entries = await web.call(web.claims.sitemap)
    return web.render_kept(request, "sitemap.xml", entries, base=_base(request), entries=entries,
                           media_type="application/xml")


async def verdicts_atom(request: Request) -> Response:
    web = web_context(request)
    items = await web.call(web.claims.verdict_feed, most=50)
    return web.render(request, "verdicts.atom", items=items, base=_base(request),
                      publisher=web.settings.claimreview_publisher,
                      updated=max((at for _, at in items), default=None),
                      media_type="application/atom+xml")


async def robots(request: Request) -> Response:
    body = f"User-agent: *\nDisallow: /desk\nDisallow: /auth/\nSitemap: {_base(request)}/sitemap.xml\n"
    return Response(body, media_type="text/plain")


def routes() -> list[BaseRoute]:
    return [
        Route("/", home),
        Route("/claims/{claim_id:int}", claim),
        Route("/speakers/{ref}", speaker),
        Route("/topics/{slug}", topic),
        Route("/search", search),
        Route("/sitemap.xml", sitemap),
        Route("/verdicts.atom", verdicts_atom),
        Route("/robots.txt", robots),
    ]
