"""Hostile speaker names, claim texts, notes and source titles stay escaped on every page, in the
JSON-LD, the preview tags, the feeds and the desk."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import httpx

from claims.service import ClaimService
from claims.store.history import Actor
from claims.store.transfer import ImportRecord
from tests.bot.web.conftest import login_query

NAME = 'Eve <img src=x onerror=alert(1)> "O\'Hara" & Co'
TEXT = "</script><script>alert('pwned')</script> <b>bold</b> & \"quoted\" {{ 7*7 }}"
NOTE = "<a href=\"javascript:alert(2)\">click</a> </script>"
TITLE = "<iframe src=//evil.example></iframe>"
MARKERS = ("<img src=x", "<script>alert", "<b>bold</b>", "<iframe", '<a href="javascript:',
           "onerror=alert(1)>")


def _no_live_markup(html: str, where: str) -> None:
    for marker in MARKERS:
        assert marker not in html, f"{marker!r} unescaped in {where}"


async def test_hostile_texts_stay_escaped_everywhere(client: httpx.AsyncClient, claims: ClaimService) -> None:
    claims.import_records([ImportRecord(text=TEXT, speaker=NAME, topic="tariffs", title=TITLE,
                                        source_url="https://evil.example/a?<x>", verdict=None)])
    (view,) = [v for v in claims.claims(include_inactive=True, limit=5) if v.text.startswith("</script>")]
    claims.set_verdict(view.id, "false", note=NOTE, actor=Actor(id=1111, name=NAME))
    claim_page = (await client.get(f"/claims/{view.id}")).text
    speaker_path = re.search(r'href="(/speakers/\d+-[a-z0-9-]+)"', claim_page).group(1)  # type: ignore[union-attr]
    signed = await client.get(f"/auth/telegram?{login_query()}")
    assert signed.status_code == 303
    pages = {
        "claim": claim_page,
        "speaker": (await client.get(speaker_path)).text,
        "topic": (await client.get("/topics/tariffs")).text,
        "search": (await client.get("/search", params={"q": "alert pwned bold quoted"})).text,
        "search-question": (await client.get("/search", params={"q": TEXT})).text,
        "home": (await client.get("/")).text,
        "desk-queue": (await client.get("/desk/")).text,
        "desk-claim": (await client.get(f"/desk/claims/{view.id}")).text,
    }
    for where, html in pages.items():
        _no_live_markup(html, where)
    assert "&lt;/script&gt;&lt;script&gt;alert(&#39;pwned&#39;)" in claim_page
    assert "{{ 7*7 }}" in claim_page  # a template in a stored text is text, not evaluated
    assert "Eve &lt;img src=x onerror=alert(1)&gt;" in claim_page
    # the JSON-LD block holds the texts as JSON escapes and still parses to the very same texts
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', claim_page, re.S)
    assert block is not None and "</" not in block.group(1)
    review = json.loads(block.group(1))
    assert review["claimReviewed"] == TEXT and review["reviewBody"] == NOTE
    assert review["itemReviewed"]["author"]["name"] == NAME
    for feed in ("/verdicts.atom", "/sitemap.xml"):
        body = (await client.get(feed)).text
        ET.fromstring(body)  # still well-formed XML
        _no_live_markup(body, feed)
    atom = (await client.get("/verdicts.atom")).text
    assert "&lt;/script&gt;" in atom
