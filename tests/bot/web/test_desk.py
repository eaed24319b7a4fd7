"""The desk through the ASGI interface: sign-in with a widget payload, the gate on every desk route,
the session cookie, CSRF, the change forms and their audit trail, the queue's filters, the
unanswered list and the charts."""

from __future__ import annotations

import re
from collections.abc import Callable
from http.cookies import SimpleCookie

import httpx
import pytest
from starlette.routing import Mount

from bot.web import desk as desk_routes
from bot.web.app import build_web_app
from bot.web.auth import COOKIE
from claims.service import ClaimService
from claims.settings import Settings
from claims.store.history import Actor
from claims.store.models import QuestionKind
from tests.bot.harness import ADMIN_ID, USER_ID
from tests.bot.web.conftest import login_query

ALICE = Actor(id=ADMIN_ID, name="Alice (@alice)")
DESK_GETS = ["/desk/", "/desk/claims/1", "/desk/unanswered", "/desk/stats", "/desk/anything"]
DESK_POSTS = ["/desk/claims/1/verdict", "/desk/claims/1/edit", "/desk/claims/1/retract",
              "/desk/claims/1/merge",
              "/desk/unanswered/1/handled", "/desk/logout"]


def csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m is not None, "no CSRF token in the page"
    return m.group(1)


def test_every_desk_route_is_behind_the_gate() -> None:
    """The list above covers every route the desk mounts (a new one must be added to it)."""
    mount = next(r for r in desk_routes.routes() if isinstance(r, Mount))
    paths = {getattr(r, "path", "") for r in mount.routes}
    assert paths == {"/", "/claims/{claim_id:int}", "/claims/{claim_id:int}/{action:str}", "/unanswered",
                     "/unanswered/{question_id:int}/handled", "/stats", "/logout"}


async def test_no_desk_route_answers_without_a_session(client: httpx.AsyncClient) -> None:
    for path in DESK_GETS:
        page = await client.get(path)
        assert page.status_code == 303 and page.headers["location"] == "/auth/login", path
    for path in DESK_POSTS:
        page = await client.post(path, data={"verdict": "false", "csrf": "x"})
        assert page.status_code == 403, path
    client.cookies.set(COOKIE, "eyJpZCI6MTExMSwibmFtZSI6IkEiLCJleHAiOjk5OTk5OTk5OTl9.forged")
    assert (await client.get("/desk/")).status_code == 303


async def test_sign_in_sets_a_strict_cookie_and_opens_the_desk(client: httpx.AsyncClient) -> None:
    login = await client.get("/auth/login")
    assert 'data-telegram-login="claimbot_test_bot"' in login.text
    assert 'data-auth-url="/auth/telegram"' in login.text
    assert "script-src https://telegram.org" in login.headers["content-security-policy"]
    signed = await client.get(f"/auth/telegram?{login_query()}")
    assert signed.status_code == 303 and signed.headers["location"] == "/desk/"
    cookie = SimpleCookie(signed.headers["set-cookie"])[COOKIE]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "lax"
    queue = await client.get("/desk/")
    assert queue.status_code == 200 and "Review queue" in queue.text
    assert "Alice (@alice)" in queue.text
    assert queue.headers["cache-control"] == "no-store"


async def test_cookie_is_not_secure_over_plain_http(web_app: object) -> None:
    transport = httpx.ASGITransport(app=web_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as plain:
        signed = await plain.get(f"/auth/telegram?{login_query()}")
    assert "secure" not in signed.headers["set-cookie"].lower()


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        (lambda: login_query(token="987654321:AAOtherBotsTokenForTests_abcdefghijk"),
         "not signed by Telegram"),
        (lambda: login_query().replace("first_name=Alice", "first_name=Mallory"), "not signed by Telegram"),
        (lambda: login_query(age=2 * 3600), "expired"),
        (lambda: login_query(age=-3600), "expired"),
        (lambda: login_query(USER_ID), "not on the claimbot team"),
        (lambda: "id=1111&auth_date=1", "not signed by Telegram"),
    ],
    ids=["other-bot", "tampered", "stale", "future", "not-admin", "unsigned"],
)
async def test_forged_stale_or_foreign_logins_are_refused(client: httpx.AsyncClient,
                                                          query: Callable[[], str], reason: str) -> None:
    refused = await client.get(f"/auth/telegram?{query()}")
    assert refused.status_code == 403
    assert reason in refused.text
    assert "set-cookie" not in refused.headers
    assert (await client.get("/desk/")).status_code == 303


async def test_removing_an_admin_ends_their_session(claims: ClaimService,
                                                    web_settings: Callable[..., Settings]) -> None:
    signed_in = build_web_app(claims, load_index=False)
    transport = httpx.ASGITransport(app=signed_in)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
        await c.get(f"/auth/telegram?{login_query()}")
        cookie = c.cookies[COOKIE]
    later = ClaimService.open(web_settings(admin_ids=frozenset({USER_ID})))
    try:
        app = build_web_app(later, load_index=False)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver",
                                     cookies={COOKIE: cookie}) as c:
            assert (await c.get("/desk/")).status_code == 303
    finally:
        later.close()


async def test_verdict_form_needs_its_csrf_token_and_records_the_admin(
        desk: httpx.AsyncClient, claims: ClaimService) -> None:
    page = await desk.get("/desk/claims/8")
    token = csrf(page.text)
    for bad in ({}, {"csrf": "forged"}, {"csrf": token + "x"}):
        refused = await desk.post("/desk/claims/8/verdict", data={"verdict": "false", **bad})
        assert refused.status_code == 403
    assert claims.claim(8).verdict == "unverified"
    done = await desk.post("/desk/claims/8/verdict",
                           data={"verdict": "false", "note": "They pay no such tariff.", "csrf": token})
    assert done.status_code == 303 and done.headers["location"] == "/desk/claims/8?done=verdict"
    view, revisions = claims.history(8)
    assert (view.verdict, view.verdict_note) == ("false", "They pay no such tariff.")
    assert (revisions[-1].change, revisions[-1].admin_id, revisions[-1].admin_name) == \
        ("verdict", ADMIN_ID, "Alice (@alice)")
    shown = await desk.get(done.headers["location"])
    assert "Saved: verdict." in shown.text


async def test_edit_retract_and_merge_forms(desk: httpx.AsyncClient, claims: ClaimService) -> None:
    token = csrf((await desk.get("/desk/claims/3")).text)
    edited = await desk.post("/desk/claims/3/edit", data={"text": "The EU remains ready to negotiate.",
                                                          "csrf": token})
    assert edited.status_code == 303
    assert claims.claim(3).text == "The EU remains ready to negotiate."
    merged = await desk.post("/desk/claims/4/merge", data={"into": "#3", "csrf": token})
    assert merged.headers["location"] == "/desk/claims/3?done=merge"
    assert claims.claim(4).merged_into_id == 3
    again = await desk.post("/desk/claims/4/merge", data={"into": "3", "csrf": token})
    assert again.status_code == 400 and "was merged into #3" in again.text
    nonsense = await desk.post("/desk/claims/5/merge", data={"into": "three", "csrf": token})
    assert nonsense.status_code == 400 and "Give the number" in nonsense.text
    retracted = await desk.post("/desk/claims/5/retract", data={"reason": "Not a claim.", "csrf": token})
    assert retracted.status_code == 303
    assert claims.claim(5).status == "retracted"
    changes = [(r.change, r.admin_name) for r in claims.history(5)[1]]
    assert changes[-1] == ("retracted", "Alice (@alice)")
    unknown = await desk.post("/desk/claims/5/delete", data={"csrf": token})
    assert unknown.status_code == 404


async def test_queue_filters_by_topic_speaker_status_and_verdict(
        desk: httpx.AsyncClient, claims: ClaimService) -> None:
    def ids(html: str) -> list[int]:
        return [int(i) for i in re.findall(r'<tr><td><a href="/desk/claims/(\d+)"', html)]

    everything = ids((await desk.get("/desk/")).text)
    assert len(everything) == 27
    greenland = ids((await desk.get("/desk/", params={"topic": "greenland"})).text)
    assert greenland and set(greenland) < set(everything) and 21 in greenland and 8 not in greenland
    trump = ids((await desk.get("/desk/", params={"speaker": "Trump"})).text)
    assert set(trump) == {7, 8, 22}
    both = ids((await desk.get("/desk/", params={"speaker": "Trump", "topic": "greenland"})).text)
    assert both == [22]
    claims.set_verdict(7, "false", note=None, actor=ALICE)
    claims.retract(8, reason=None, actor=ALICE)
    assert ids((await desk.get("/desk/", params={"verdict": "false"})).text) == [7]
    assert ids((await desk.get("/desk/", params={"status": "retracted"})).text) == [8]
    assert ids((await desk.get("/desk/")).text)[0] == 7  # the most recently changed live claim first
    unknown = await desk.get("/desk/", params={"speaker": "Nobody Atall"})
    assert unknown.status_code == 400 and "notice error" in unknown.text
    bad = await desk.get("/desk/", params={"status": "deleted"})
    assert bad.status_code == 400 and "Unknown status" in bad.text


async def test_unanswered_list_and_handled(desk: httpx.AsyncClient, claims: ClaimService) -> None:
    asked = (("is the moon made of cheese", 1), ("moon made of cheese?", 2), ("who won the derby", 3))
    for text, user in asked:
        claims.log_message(text, kind=QuestionKind.QUESTION, matches=0, top_claim_id=None, user_id=user,
                           chat_id=user)
    page = await desk.get("/desk/unanswered")
    assert "3 unanswered questions in 2 groups" in page.text
    anchor = re.search(r'action="/desk/unanswered/(\d+)/handled"', page.text).group(1)  # type: ignore[union-attr]
    handled = await desk.post(f"/desk/unanswered/{anchor}/handled",
                              data={"csrf": csrf(page.text), "days": "7"})
    assert handled.status_code == 303
    after = await desk.get("/desk/unanswered")
    assert after.text.count('/handled"') == 1


async def test_stats_are_server_rendered_svg(desk: httpx.AsyncClient, claims: ClaimService) -> None:
    claims.log_message("tariffs", kind=QuestionKind.QUESTION, matches=2, top_claim_id=1, user_id=1, chat_id=1)
    claims.log_message("cheese moon", kind=QuestionKind.QUESTION, matches=0, top_claim_id=None, user_id=2,
                       chat_id=2)
    claims.set_verdict(2, "accurate", note=None, actor=ALICE)
    page = await desk.get("/desk/stats")
    assert page.status_code == 200
    assert page.text.count("<svg") == 4
    assert "2 questions in 30 days, 1 of them unanswered." in page.text
    assert "Unanswered over the whole window: 50%." in page.text
    assert "1 verdicts given in 30 days." in page.text
    assert 'class="v-accurate"' in page.text
    assert ">Tariffs</text>" in page.text
    assert "<script" not in page.text and "style=" not in page.text


async def test_sign_out(desk: httpx.AsyncClient) -> None:
    token = csrf((await desk.get("/desk/")).text)
    out = await desk.post("/desk/logout", data={"csrf": token})
    assert out.status_code == 303
    assert (await desk.get("/desk/")).status_code == 303


async def test_without_a_bot_token_the_pages_work_and_nobody_signs_in(
        web_settings: Callable[..., Settings]) -> None:
    service = ClaimService.open(web_settings(telegram_token=None))
    try:
        app = build_web_app(service, load_index=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
            assert (await c.get("/claims/1")).status_code == 200
            assert "needs the bot token" in (await c.get("/auth/login")).text
            refused = await c.get(f"/auth/telegram?{login_query()}")
            assert refused.status_code == 403 and "set-cookie" not in refused.headers
            assert (await c.get("/desk/")).status_code == 303
    finally:
        service.close()
