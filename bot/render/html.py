"""Telegram HTML: escaping, links, dates, and cutting long text into messages.

Every piece of user or article text goes through ``esc`` (and ``attr`` inside attributes), links are
only made from http(s) URLs, and ``split_html`` never cuts inside a tag or an entity; it closes and
reopens the tags around each cut. ``html_to_plain`` is the one fallback when Telegram still refuses
the HTML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

MESSAGE_LIMIT = 4096
SAFE_LIMIT = 4000
"""Chunks are measured on the HTML source (never shorter than what Telegram counts), with a margin."""


def esc(text: object) -> str:
    """User or article text made inert for HTML parse mode."""
    return html.escape(str(text), quote=False)


def attr(text: object) -> str:
    """Text made safe inside a double-quoted attribute."""
    return html.escape(str(text), quote=True)


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "…"


def link(url: str | None, label: str) -> str:
    """A link when the URL is http(s); otherwise just the (escaped) label."""
    if url and urlsplit(url).scheme in {"http", "https"}:
        return f'<a href="{attr(url)}">{esc(label)}</a>'
    return esc(label)


def fmt_date(when: datetime | None, tz: ZoneInfo, *, time: bool = False) -> str:
    if when is None:
        return "undated"
    local = when.astimezone(tz)
    return local.strftime("%-d %b %Y %H:%M" if time else "%-d %b %Y")


_ATOM = re.compile(r"<[^<>]*>|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{1,10});|[^<&]|[<&]", re.S)
_TAG_NAME = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)")
_SENTENCE_END = ".!?…"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _priority(prev: str, atom: str) -> int:
    """How good a place it is to cut before ``atom`` (``prev`` is the atom before it)."""
    if atom == "\n":
        return 4 if prev == "\n" else 3
    if atom in " \t":
        return 2 if prev and prev[-1] in _SENTENCE_END else 1
    return 0


def split_html(text: str, limit: int = SAFE_LIMIT) -> list[str]:
    """Cut ``text`` into messages of at most ``limit`` UTF-16 units, each valid HTML on its own.

    Cuts prefer a blank line, then a line end, then a sentence end, then a space, and only then
    any character (never inside a tag or an entity); tags open at a cut are closed before it and
    reopened after it. A cut is not taken so early that it leaves a chunk under a third full.
    """
    text = text.strip()
    if utf16_len(text) <= limit:
        return [text] if text else []
    atoms = _ATOM.findall(text)
    chunks: list[str] = []
    start = 0
    stack: list[tuple[str, str]] = []  # (name, opening tag) open where the chunk starts
    while start < len(atoms):
        prefix = "".join(tag for _, tag in stack)
        open_now = list(stack)
        size = utf16_len(prefix)
        # priority -> (index to cut before, size there, tags open there): the latest of each
        cuts: dict[int, tuple[int, int, list[tuple[str, str]]]] = {}
        i, prev = start, ""
        while i < len(atoms):
            atom = atoms[i]
            if i > start:
                cuts[_priority(prev, atom)] = (i, size, open_now)
            after = _after_tag(open_now, atom)
            closers = sum(len(name) + 3 for name, _ in after)
            if i > start and size + utf16_len(atom) + closers > limit:
                break
            size += utf16_len(atom)
            open_now, prev = after, atom
            i += 1
        else:
            chunks.append(prefix + "".join(atoms[start:]))
            break
        good = [c for p, c in sorted(cuts.items(), reverse=True) if c[1] >= limit // 3]
        cut, _, open_at_cut = good[0] if good else cuts[_priority(prev, atoms[i])]
        body = (prefix + "".join(atoms[start:cut])).rstrip()
        chunks.append(body + "".join(f"</{name}>" for name, _ in reversed(open_at_cut)))
        start, stack = cut, open_at_cut
        while start < len(atoms) and atoms[start] in (" ", "\n", "\t"):
            start += 1
    return [c.strip() for c in chunks if _visible(c).strip()]


def _after_tag(stack: list[tuple[str, str]], atom: str) -> list[tuple[str, str]]:
    """The open tags after ``atom`` (a new list only when the atom is a tag)."""
    m = _TAG_NAME.match(atom) if atom.startswith("<") else None
    if m is None:
        return stack
    name = m.group(2).lower()
    if m.group(1):
        return stack[:-1] if stack and stack[-1][0] == name else stack
    return [*stack, (name, atom)]


def _visible(chunk: str) -> str:
    return html.unescape(re.sub(r"<[^<>]*>", "", chunk))


_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)


def html_to_plain(text: str) -> str:
    """The same message without markup, links spelled out: the fallback Telegram cannot refuse."""

    def spell(m: re.Match[str]) -> str:
        url, label = html.unescape(m.group(1)), m.group(2)
        return f"{label} ({url})" if url and url != html.unescape(label) else label

    return html.unescape(re.sub(r"<[^<>]*>", "", _LINK.sub(spell, text)))


def plain_chunks(text: str, limit: int = SAFE_LIMIT) -> list[str]:
    """Plain text cut like ``split_html`` cuts HTML (escaping first keeps the cutter honest)."""
    return [html.unescape(c) for c in split_html(esc(text), limit)]


def lines(items: Iterable[Any]) -> str:
    return "\n".join(str(i) for i in items)
