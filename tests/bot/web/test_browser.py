"""The main flows in a real headless Chromium against the pages served by uvicorn on loopback: a
claim page at phone width, signing in with a widget payload, a verdict set on the desk reaching the
bot's ``/claim`` and the page's JSON-LD, and forged or stale sign-ins refused."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from bot.web.app import build_web_app
from claims.service import ClaimService
from claims.store.history import Actor
from claims.store.transfer import ImportRecord
from tests.bot.harness import Person
from tests.bot.web.browser import chromium, serving
from tests.bot.web.conftest import BASE, login_query

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    yield from chromium()


async def visit(driver: webdriver.Chrome, url: str) -> None:
    """Load a page (Selenium blocks: it runs in a thread while this loop serves the page)."""
    await asyncio.to_thread(driver.get, url)


async def js(driver: webdriver.Chrome, script: str) -> Any:
    return await asyncio.to_thread(driver.execute_script, script)


async def test_claim_page_at_phone_width_has_no_horizontal_scroll(browser: webdriver.Chrome,
                                                                   claims: ClaimService) -> None:
    long_word = "https://example.org/" + "averylongunbrokenpathsegment" * 8  # no place to break it
    claims.import_records([ImportRecord(
        text=f"Everything is documented at {long_word} and nowhere else, believe me.",
        speaker="Maximiliane Wolkenkratzer-Oberstaatsanwältin", topic="tariffs",
        title="A headline long enough to wrap several times on a narrow telephone screen, twice over",
        source_url=long_word, verdict="misleading")])
    newest = claims.claims(limit=1)[0]
    claims.set_verdict(newest.id, "false", note="No such page exists: " + long_word, actor=Actor(1, "Desk"))
    async with serving(build_web_app(claims)) as base:
        await asyncio.to_thread(browser.execute_cdp_cmd, "Emulation.setDeviceMetricsOverride",
                                {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
        try:
            for path in (f"/claims/{newest.id}", "/claims/21", "/topics/tariffs", "/search?q=tariffs"):
                await visit(browser, base + path)
                widths = await js(browser, "return [document.documentElement.scrollWidth, window.innerWidth]")
                assert widths[1] == 390
                assert widths[0] <= widths[1], f"{path} scrolls sideways at 390 px: {widths}"
        finally:
            await asyncio.to_thread(browser.execute_cdp_cmd, "Emulation.clearDeviceMetricsOverride", {})


async def test_sign_in_with_a_signed_widget_payload_and_refusals(browser: webdriver.Chrome,
                                                                 claims: ClaimService) -> None:
    async with serving(build_web_app(claims, bot_username="claimbot_test_bot")) as base:
        await asyncio.to_thread(browser.delete_all_cookies)
        await visit(browser, f"{base}/desk/")
        assert browser.current_url == f"{base}/auth/login"
        for forged in (login_query(token="987654321:AAOtherBotsTokenForTests_abcdefghijk"),
                       login_query(age=3 * 3600),
                       login_query().replace("username=alice", "username=mallory")):
            await visit(browser, f"{base}/auth/telegram?{forged}")
            assert "Sign-in refused" in browser.find_element(By.TAG_NAME, "h1").text
            await visit(browser, f"{base}/desk/")
            assert browser.current_url == f"{base}/auth/login"
        await visit(browser, f"{base}/auth/telegram?{login_query()}")
        assert browser.current_url == f"{base}/desk/"
        assert browser.find_element(By.TAG_NAME, "h1").text == "Review queue"
        cookie = browser.get_cookie("claimbot_desk")
        assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        assert "claimbot_desk" not in await js(browser, "return document.cookie")


async def test_verdict_on_the_desk_reaches_the_bot_and_the_json_ld(
        browser: webdriver.Chrome, start_bot: Callable[..., Any], user: Person) -> None:
    bot = await start_bot(web_base_url=BASE)
    service: ClaimService = bot.app.bot_data.services.claims
    app = build_web_app(service, load_index=False, bot_username="claimbot_test_bot")
    async with serving(app) as base:
        await asyncio.to_thread(browser.delete_all_cookies)
        await visit(browser, f"{base}/auth/telegram?{login_query()}")
        await visit(browser, f"{base}/desk/claims/22")

        def fill_in() -> None:
            form = browser.find_element(By.CSS_SELECTOR, 'form[action="/desk/claims/22/verdict"]')
            Select(form.find_element(By.NAME, "verdict")).select_by_value("false")
            form.find_element(By.NAME, "note").send_keys("The treaty of 1951 says otherwise.")
            form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            # a click returns before the page it posts to has loaded: wait for that page
            WebDriverWait(browser, 60).until(expected_conditions.url_contains("done="))

        await asyncio.to_thread(fill_in)
        assert browser.current_url == f"{base}/desk/claims/22?done=verdict"
        assert "Saved: verdict." in browser.page_source

        shown = await user.say("/claim 22")
        assert "Verdict: ❌ false — The treaty of 1951 says otherwise." in shown.text
        assert f"Fact check: {BASE}/claims/22" in shown.text
        history = await user.say("/history 22")
        assert "Alice (@alice)" in history.text

        await visit(browser, f"{base}/claims/22")
        block = await js(browser, "return document.querySelector('script[type=\"application/ld+json\"]')"
                                  ".textContent")
        review = json.loads(block)
        assert review["reviewRating"]["alternateName"] == "False"
        assert review["reviewBody"] == "The treaty of 1951 says otherwise."
        assert review["url"] == f"{BASE}/claims/22"
