"""What Telegram accepts as message text: its length in UTF-16 units and its subset of HTML.

Why it exists: the bot's messages are only as good as Telegram's parser says. ``parse_html``
accepts the tags and entities Telegram accepts, refuses the rest with Telegram's "can't parse
entities" error and returns the text users see; ``utf16_len`` measures it as Telegram counts
(``MAX_TEXT``). The fake's methods check every message with them, and the renderer's tests use them
to prove what the bot sends would be accepted.
"""

from __future__ import annotations

import re

from bot.fakeapi.errors import ApiError, bad_request

MAX_TEXT = 4096
_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code",
    "pre", "blockquote", "tg-emoji",
}
_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"<>]*\"|'[^'<>]*'|[^\s\"'<>=]+))?)*)\s*>"
)
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{1,10});")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def utf16_len(text: str) -> int:
    """Telegram measures text (limits and entity offsets) in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """The visible text of an HTML-formatted message, or Telegram's "can't parse entities" error."""
    out: list[str] = []
    stack: list[str] = []
    pos = 0

    def fail(why: str) -> ApiError:
        return bad_request(f"can't parse entities: {why} at byte offset {len(text[:pos].encode())}")

    while pos < len(text):
        ch = text[pos]
        if ch == "<":
            m = _TAG.match(text, pos)
            if m is None:
                raise fail("Unclosed start tag")
            closing, name, attrs = m.group(1), m.group(2).lower(), m.group(3) or ""
            if name not in _TAGS:
                raise fail(f'Unsupported {"end" if closing else "start"} tag "{name}"')
            if closing:
                if not stack or stack[-1] != name:
                    expected = f'expected "</{stack[-1]}>", ' if stack else ""
                    raise fail(f'Unmatched end tag, {expected}found "</{name}>"')
                stack.pop()
            else:
                if name == "span" and "tg-spoiler" not in attrs:
                    raise fail('Tag "span" must have class "tg-spoiler"')
                stack.append(name)
            pos = m.end()
        elif ch == "&":
            m = _ENTITY.match(text, pos)
            if m is None:
                out.append("&")
                pos += 1
                continue
            body = m.group(1)
            if body.startswith(("#x", "#X")):
                out.append(_codepoint(int(body[2:], 16)))
            elif body.startswith("#"):
                out.append(_codepoint(int(body[1:])))
            else:
                out.append(_NAMED.get(body, m.group(0)))
            pos = m.end()
        else:
            nxt = min((i for i in (text.find("<", pos), text.find("&", pos)) if i >= 0), default=len(text))
            out.append(text[pos:nxt])
            pos = nxt
    if stack:
        raise bad_request(
            f'can\'t parse entities: Can\'t find end tag corresponding to start tag "{stack[-1]}"'
        )
    return "".join(out)


def _codepoint(value: int) -> str:
    """A numeric character reference's character; out of range is U+FFFD, as browsers do."""
    try:
        return chr(value)
    except (ValueError, OverflowError):
        return "\ufffd"
