"""Headers every answer carries: a strict Content-Security-Policy (no script at all, styles only
from our own stylesheet, no framing), and the usual companions.

The pages need no JavaScript; the ClaimReview JSON-LD is a data block, which CSP does not treat as
script. The one page that runs a script is the desk's sign-in, which loads Telegram's Login
Widget: it sets ``LOGIN_CSP`` itself, and the middleware leaves a policy a route set alone.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
LOGIN_CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data: https://telegram.org "
             "https://t.me; script-src https://telegram.org; frame-src https://oauth.telegram.org; "
             "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
"""The sign-in page: Telegram's widget script, and the frame it opens."""
HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


class SecurityHeaders:
    """Pure ASGI middleware (no per-request task, unlike ``BaseHTTPMiddleware``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "content-security-policy" not in headers:
                    headers["content-security-policy"] = CSP
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)
