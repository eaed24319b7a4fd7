"""The Login Widget check and the session cookie on their own: what Telegram signs, what expires,
what a tampered cookie or CSRF token gets."""

from __future__ import annotations

import pytest

from bot.web.auth import (
    LOGIN_MAX_AGE,
    SESSION_SECONDS,
    Admin,
    LoginRefused,
    SessionSigner,
    check_login,
    widget_hash,
)
from tests.bot.emulator import TOKEN

NOW = 1_800_000_000.0
ADMINS = frozenset({42})


def signed(**fields: str) -> dict[str, str]:
    data = {"id": "42", "first_name": "Ada", "last_name": "L", "username": "ada", "auth_date": str(int(NOW)),
            **fields}
    return {**data, "hash": widget_hash(data, TOKEN)}


def test_a_payload_signed_with_the_token_signs_in_the_admin() -> None:
    admin = check_login(signed(), token=TOKEN, admin_ids=ADMINS, now=NOW + 10)
    assert admin == Admin(id=42, name="Ada L (@ada)")
    # Telegram's rule: every field it sent is signed, so an extra field must be signed too
    photo = signed(photo_url="https://t.me/i/a.jpg")
    assert check_login(photo, token=TOKEN, admin_ids=ADMINS, now=NOW).id == 42


def _flip_last(digest: str) -> str:
    return digest[:-1] + ("1" if digest[-1] == "0" else "0")


@pytest.mark.parametrize(
    ("payload", "now", "message"),
    [
        (signed(), NOW + LOGIN_MAX_AGE + 1, "expired"),
        (signed(), NOW - 3600, "expired"),
        ({**signed(), "id": "43"}, NOW, "not signed"),
        ({**signed(), "hash": _flip_last(signed()["hash"])}, NOW, "not signed"),
        (signed(id="7"), NOW, "not on the claimbot team"),
        (signed(auth_date="soon"), NOW, "malformed"),
    ],
    ids=["stale", "future", "tampered-id", "tampered-hash", "not-admin", "bad-date"],
)
def test_refusals(payload: dict[str, str], now: float, message: str) -> None:
    with pytest.raises(LoginRefused, match=message):
        check_login(payload, token=TOKEN, admin_ids=ADMINS, now=now)


def test_session_cookie_expires_is_tamper_proof_and_binds_csrf() -> None:
    signer = SessionSigner(TOKEN)
    cookie = signer.cookie(Admin(42, "Ada"), now=NOW)
    assert signer.admin(cookie, admin_ids=ADMINS, now=NOW + 60) == Admin(42, "Ada")
    assert signer.admin(cookie, admin_ids=ADMINS, now=NOW + SESSION_SECONDS + 1) is None
    assert signer.admin(cookie, admin_ids=frozenset({1}), now=NOW) is None
    payload, mac = cookie.split(".")
    assert signer.admin(payload[:-2] + "xx." + mac, admin_ids=ADMINS, now=NOW) is None
    assert SessionSigner("987654321:AAOtherBotsTokenForTests_abcdefghijk").admin(
        cookie, admin_ids=ADMINS, now=NOW) is None
    other = signer.cookie(Admin(42, "Ada"), now=NOW + 1)
    assert signer.csrf_ok(cookie, signer.csrf(cookie))
    assert not signer.csrf_ok(other, signer.csrf(cookie))
    assert not signer.csrf_ok(cookie, "")


def test_a_field_added_to_a_signed_payload_breaks_it() -> None:
    with pytest.raises(LoginRefused, match="not signed"):
        check_login({**signed(), "is_admin": "1"}, token=TOKEN, admin_ids=ADMINS, now=NOW)
