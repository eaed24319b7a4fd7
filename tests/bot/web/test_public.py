"""The public pages through the ASGI interface: a claim's page (sources, history, verdict,
ClaimReview, preview tags, merged, retracted, unknown), speakers and topics paged newest first,
search with the bot's "not sure", the feeds, the headers and the search limit."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest

from claims.service import ClaimService
from claims.store.history import Actor
from tests.bot.web.conftest import BASE

DESK = Actor(id=1111, name="Alice (@alice)")


def json_ld(html: str) -> list[dict[str, Any]]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(b) for b in blocks]


def meta(html: str, key: str) -> str | None:
    m = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', html)
    return m.group(1) if m else None


async def test_claim_page_shows_text_speaker_sources_history_and_no_review_before_a_verdict(
        client: httpx.AsyncClient) -> None:
    page = await client.get("/claims/21")
    assert page.status_code == 200
    html = page.text
    assert "Greenland is not a real estate deal" in html
    assert 'href="/speakers/' in html and "Mette Frederiksen</a>" in html
    assert "direct statement" in html
    assert 'href="https://news.example/interview_frederiksen.txt"' in html
    assert "First reported" in html
    assert "Not checked yet" in html
    assert json_ld(html) == []  # no verdict, no ClaimReview
    assert meta(html, "og:url") == f"{BASE}/claims/21"
    assert meta(html, "twitter:card") == "summary"
    assert "Greenland is not a real estate deal" in (meta(html, "og:title") or "")


async def test_verdict_gives_claimreview_with_googles_required_and_recommended_properties(
        client: httpx.AsyncClient, claims: ClaimService) -> None:
    claims.set_verdict(22, "misleading", note="Needs context: <the treaty> says otherwise.", actor=DESK)
    html = (await client.get("/claims/22")).text
    (review,) = json_ld(html)
    assert review["@type"] == "ClaimReview"
    assert review["url"] == f"{BASE}/claims/22"
    assert review["claimReviewed"].startswith("the United States needs Greenland")
    assert review["reviewRating"]["alternateName"] == "Misleading"
    assert review["reviewRating"]["ratingValue"] == 2
    assert review["author"]["name"] == "claimbot"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", review["datePublished"])
    assert review["itemReviewed"]["author"] == {"@type": "Person", "name": "Donald Trump"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", review["itemReviewed"]["datePublished"])
    assert review["itemReviewed"]["firstAppearance"]["url"] == "https://news.example/interview_frederiksen.txt"
    assert review["reviewBody"] == "Needs context: <the treaty> says otherwise."
    assert "<the treaty>" not in html  # escaped in the page and inside the JSON-LD block
    assert "Verdict" in html and "Misleading" in html
    assert "by Alice (@alice)" in html  # the history names the author
    assert meta(html, "og:description") == \
        "Donald Trump: Misleading. Needs context: &lt;the treaty&gt; says otherwise."


async def test_merged_claim_redirects_retracted_says_so_unknown_is_404(
        client: httpx.AsyncClient, claims: ClaimService) -> None:
    claims.merge(18, 19, actor=DESK)
    merged = await client.get("/claims/18")
    assert merged.status_code == 301
    assert merged.headers["location"] == "/claims/19"
    target = (await client.get("/claims/19")).text
    assert 'href="/claims/18"' in target  # the survivor's history links the duplicate
    claims.set_verdict(17, "false", note=None, actor=DESK)
    claims.retract(17, reason="Wrongly attributed.", actor=DESK)
    retracted = await client.get("/claims/17")
    assert retracted.status_code == 200
    assert "<strong>Retracted.</strong>" in retracted.text
    assert "Wrongly attributed." in retracted.text
    assert json_ld(retracted.text) == []  # no ClaimReview for a withdrawn claim
    assert meta(retracted.text, "robots") == "noindex"
    for unknown in ("/claims/9999", "/claims/0", "/speakers/9999", "/speakers/nobody",
                    "/topics/no-such-topic", "/nowhere"):
        missing = await client.get(unknown)
        assert missing.status_code == 404, unknown
        assert "Not found" in missing.text


async def test_speaker_page_is_a_timeline_newest_first_and_paged(
        client: httpx.AsyncClient, claims: ClaimService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.web.public.PER_PAGE", 4)
    claims.set_verdict(16, "accurate", note=None, actor=DESK)  # a verdict does not move a claim in time
    claim = (await client.get("/claims/21")).text
    path = re.search(r'href="(/speakers/\d+-mette-frederiksen)"', claim).group(1)  # type: ignore[union-attr]
    short = await client.get(path.split("-")[0])
    assert short.status_code == 301 and short.headers["location"] == path
    first, second = (await client.get(path)).text, (await client.get(f"{path}?page=2")).text
    assert "9 claims, newest first" in first
    assert '<ol class="timeline">' in first
    ids = [int(i) for i in re.findall(r'href="/claims/(\d+)"', first + second)]
    assert len(ids) == 8 and len(set(ids)) == 8
    assert ids == sorted(ids, reverse=True)  # ingested in article order: newer ids are newer claims
    assert 'rel="next"' in first and 'rel="prev"' in second
    last = (await client.get(f"{path}?page=3")).text
    assert re.findall(r'href="/claims/(\d+)"', last) == ["16"] and 'rel="next"' not in last


async def test_topic_page_lists_its_claims_paged_and_links_speakers(
        client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.web.public.PER_PAGE", 5)
    page = (await client.get("/topics/tariffs")).text
    assert "<h1>Tariffs</h1>" in page
    assert len(re.findall(r'<article class="card">', page)) == 5
    assert re.search(r'href="/speakers/\d+-donald-trump">Donald Trump</a>', page) or \
        "page 1 of" in page
    assert 'rel="next"' in page


async def test_search_answers_like_the_bot_and_says_when_it_is_not_sure(client: httpx.AsyncClient) -> None:
    found = (await client.get("/search", params={"q": "what did Frederiksen say about Greenland?"})).text
    assert "Here is what I found" in found
    assert "Greenland is not a real estate deal" in found
    nothing = (await client.get("/search", params={"q": "best pizza recipe with pineapple"})).text
    assert "No claim answers that" in nothing
    assert "rather say so than show you a wrong one" in nothing
    assert '<article class="card">' not in nothing
    empty = await client.get("/search")
    assert empty.status_code == 200 and "Search the claims" in empty.text


async def test_search_is_rate_limited_per_client(web_app: Any) -> None:
    async def searches(client_ip: str, n: int) -> list[int]:
        transport = httpx.ASGITransport(app=web_app, client=(client_ip, 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return [(await c.get("/search", params={"q": "tariffs"})).status_code for _ in range(n)]

    flood = await searches("198.51.100.1", 25)
    assert flood[:20] == [200] * 20
    assert 429 in flood[20:]
    assert await searches("198.51.100.2", 1) == [200]  # another client is not held up


async def test_sitemap_and_verdict_feed(client: httpx.AsyncClient, claims: ClaimService) -> None:
    claims.set_verdict(8, "false", note="No such tariff exists.", actor=DESK)
    sitemap = await client.get("/sitemap.xml")
    assert sitemap.headers["content-type"].startswith("application/xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in ET.fromstring(sitemap.text).findall("s:url/s:loc", ns)]
    assert f"{BASE}/claims/8" in locs and f"{BASE}/topics/tariffs" in locs
    assert any(loc and "/speakers/" in loc for loc in locs)
    assert sum(1 for loc in locs if loc and "/claims/" in loc) == 27
    feed = await client.get("/verdicts.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    atom = {"a": "http://www.w3.org/2005/Atom"}
    entries = ET.fromstring(feed.text).findall("a:entry", atom)
    assert len(entries) == 1
    assert entries[0].find("a:link", atom).get("href") == f"{BASE}/claims/8"  # type: ignore[union-attr]
    assert "False" in (entries[0].findtext("a:title", namespaces=atom) or "")


async def test_every_answer_carries_a_strict_csp_and_no_script(client: httpx.AsyncClient) -> None:
    for path in ("/", "/claims/1", "/topics/tariffs", "/search?q=tariffs", "/nowhere"):
        page = await client.get(path)
        csp = page.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp and "unsafe-inline" not in csp
        assert page.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in csp
        assert re.search(r"<script(?! type=\"application/ld\+json\")", page.text) is None
    css = await client.get("/static/site.css")
    assert css.status_code == 200 and "max-width" in css.text


async def test_front_page_and_robots(client: httpx.AsyncClient, claims: ClaimService) -> None:
    claims.set_verdict(2, "accurate", note=None, actor=DESK)
    home = (await client.get("/")).text
    assert "Newest verdicts" in home and 'href="/claims/2"' in home
    assert 'href="/topics/tariffs"' in home
    robots = await client.get("/robots.txt")
    assert robots.text.splitlines() == ["User-agent: *", "Disallow: /desk", "Disallow: /auth/",
                                        f"Sitemap: {BASE}/sitemap.xml"]
