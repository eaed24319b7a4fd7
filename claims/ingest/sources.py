"""Turning what a user hands us (a file, a URL, a feed, pasted text or HTML) into article text.

Everything here either returns clean article text with its metadata or raises ``InputError`` with a
sentence that says what was wrong; nothing is stored from here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import unescape
from pathlib import Path

import feedparser
import httpx
import lxml.etree
import lxml.html
import trafilatura

from claims.errors import InputError
from claims.extract.sentences import reads_as_headline
from claims.ingest.fetch import Fetched, FetchPolicy, check_url_allowed, fetch, safe_url
from claims.normalize import clean_text

__all__ = [
    "ArticleInput", "FeedEntry", "FetchPolicy", "Fetched", "check_url_allowed", "decode_document",
    "entry_article", "fetch", "fetch_article", "fetch_articles", "fetch_feed_articles", "load_file",
    "looks_like_feed", "looks_like_html", "parse_document", "parse_feed", "parse_html", "parse_text",
]

MIN_ARTICLE_CHARS = 80
_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*$")
"""How a sentence of prose ends (closing quotes and brackets after its mark allowed)."""
_HTML_SNIFF = re.compile(rb"<(?:!doctype\s+html|html|head|body|article|p|div)[\s>]", re.I)
_FEED_SNIFF = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]", re.I)


@dataclass(frozen=True, slots=True)
class ArticleInput:
    """An article ready for extraction: its text and what we know about where it came from."""

    text: str
    url: str | None = None
    canonical_url: str | None = None
    title: str | None = None
    author: str | None = None
    outlet: str | None = None
    published_at: datetime | None = None

    @property
    def key(self) -> str | None:
        """The URL that identifies this article across fetches."""
        return self.canonical_url or self.url


@dataclass(frozen=True, slots=True)
class FeedEntry:
    link: str | None
    title: str | None
    published_at: datetime | None
    content: str | None


# ---------------------------------------------------------------------------- decoding and parsing


def decode_document(raw: bytes, *, name: str) -> str:
    """Bytes to text, refusing binary files and empty ones with a message that names them."""
    if not raw.strip():
        raise InputError(f"{name} is empty.")
    head = raw[:8192]
    if head.count(b"\x00") > max(2, len(head) // 100):  # a stray NUL is dropped, not a refusal
        raise InputError(f"{name} looks like a binary file, not an article.")
    raw = raw.replace(b"\x00", b"")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    utf8 = raw.decode("utf-8-sig", errors="replace")
    stray = utf8.count("\ufffd")
    valid = sum(1 for ch in utf8 if ord(ch) > 0x7F and ch != "\ufffd")
    # Mostly UTF-8 with a stray byte or two: one bad byte must not turn every “ into â€œ.
    if valid > stray:
        return utf8
    text = raw.decode("cp1252", errors="replace")
    if text.count("\ufffd") > len(text) / 100:
        raise InputError(f"{name} is not text in a known encoding.")
    return text


def looks_like_html(raw: bytes) -> bool:
    return bool(_HTML_SNIFF.search(raw[:4096]))


def looks_like_feed(raw: bytes) -> bool:
    head = raw[:2048].lstrip()
    return bool(_FEED_SNIFF.search(head)) and not looks_like_html(head[:200])


def parse_text(text: str, *, url: str | None = None, name: str = "The text") -> ArticleInput:
    """Plain text: the first short line is the title unless it is a sentence of prose: one that ends
    with a full stop, question or exclamation mark and does not read as a headline to the extractor
    (title-cased). A headline ending in a closing quote ('... “one way or the other”') stays one."""
    body = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(body) < MIN_ARTICLE_CHARS:
        raise InputError(f"{name} is too short to be an article ({len(body)} characters).")
    first, _, rest = body.partition("\n")
    first = first.strip()
    prose = _SENTENCE_END.search(first) is not None and not reads_as_headline(first)
    title = first if rest.strip() and len(first) <= 160 and not first.endswith(":") and not prose else None
    return ArticleInput(text=body, url=url, canonical_url=url, title=title)


def parse_html(html: str | bytes, *, url: str | None = None, name: str = "The page") -> ArticleInput:
    """Main text and metadata of an HTML page; navigation, adverts and scripts are left out."""
    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False
        )
    except Exception as exc:  # trafilatura raises assorted lxml errors on broken markup
        raise InputError(f"{name} could not be parsed as HTML.") from exc
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or len(text.strip()) < MIN_ARTICLE_CHARS:
        raise InputError(f"{name} has no article text (is it an index page or a paywall?).")
    canonical = getattr(doc, "url", None) or url
    return ArticleInput(
        text=text.strip(),
        url=url or canonical,
        canonical_url=canonical,
        title=_clean_meta(getattr(doc, "title", None)),
        author=_clean_meta(getattr(doc, "author", None)),
        outlet=_clean_meta(getattr(doc, "sitename", None)),
        published_at=_parse_date(getattr(doc, "date", None)),
    )


def parse_document(raw: bytes, *, url: str | None = None, name: str) -> ArticleInput:
    """Dispatch on content: HTML goes through trafilatura, anything else is plain text."""
    if looks_like_html(raw):
        return parse_html(raw, url=url, name=name)
    return parse_text(decode_document(raw, name=name), url=url, name=name)


def parse_feed(raw: bytes, *, name: str = "The feed") -> list[FeedEntry]:
    """Entries of an RSS or Atom feed; a feed with none is an error, not an empty success."""
    parsed = feedparser.parse(raw)
    if parsed.bozo and not parsed.entries:
        raise InputError(f"{name} is not a readable RSS or Atom feed.")
    entries = [
        FeedEntry(
            link=e.get("link"),
            title=e.get("title"),
            published_at=_struct_time(e.get("published_parsed") or e.get("updated_parsed")),
            content=(e.get("content") or [{}])[0].get("value") or e.get("summary"),
        )
        for e in parsed.entries
    ]
    if not entries:
        raise InputError(f"{name} has no entries.")
    return entries


def load_file(path: Path, *, canonical_url: str | None = None) -> ArticleInput:
    """A local text or HTML file; ``canonical_url`` says which web article it is a copy of."""
    name = f"File {path}"
    if not path.exists():
        raise InputError(f"{name} does not exist.")
    if not path.is_file():
        raise InputError(f"{name} is not a regular file.")
    article = parse_document(path.read_bytes(), url=canonical_url, name=name)
    if canonical_url:
        article = replace(article, url=canonical_url, canonical_url=canonical_url)
    return article


# ---------------------------------------------------------------------------- fetching


def fetch_article(url: str, *, policy: FetchPolicy, transport: httpx.BaseTransport | None = None
                  ) -> ArticleInput:
    """A web article by URL; a feed URL is an error here (use ``fetch_feed_articles``)."""
    fetched = fetch(url, policy=policy, transport=transport)
    if "xml" in fetched.content_type and looks_like_feed(fetched.content):
        raise InputError(f"{safe_url(url)} is a feed; ingest it as a feed.")
    article = parse_document(fetched.content, url=fetched.url, name=safe_url(fetched.url))
    return replace(article, url=fetched.url, canonical_url=article.canonical_url or fetched.url)


def fetch_articles(url: str, *, policy: FetchPolicy, transport: httpx.BaseTransport | None = None
                   ) -> Iterator[ArticleInput | InputError]:
    """Whatever a URL holds: its article, or each entry of the feed it turns out to be."""
    fetched = fetch(url, policy=policy, transport=transport)
    if looks_like_feed(fetched.content):
        yield from fetch_feed_articles(url, policy=policy, transport=transport, raw=fetched.content)
        return
    article = parse_document(fetched.content, url=fetched.url, name=safe_url(fetched.url))
    yield replace(article, url=fetched.url, canonical_url=article.canonical_url or fetched.url)


def fetch_feed_articles(
    url: str, *, policy: FetchPolicy, transport: httpx.BaseTransport | None = None, raw: bytes | None = None
) -> Iterator[ArticleInput | InputError]:
    """Each entry of a feed as an article; entries that fail are yielded as errors, not raised."""
    if raw is None:
        raw = fetch(url, policy=policy, transport=transport).content
    for entry in parse_feed(raw, name=safe_url(url)):
        try:
            yield entry_article(entry, policy=policy, transport=transport)
        except InputError as exc:
            yield exc


def entry_article(entry: FeedEntry, *, policy: FetchPolicy, transport: httpx.BaseTransport | None = None
                  ) -> ArticleInput:
    """The article behind a feed entry: its linked page, or the entry's own text when that fails."""
    try:
        if not entry.link:
            raise InputError(f"Feed entry {entry.title or '(untitled)'} has no link or content.")
        article = fetch_article(entry.link, policy=policy, transport=transport)
    except InputError:
        if not entry.content or len(entry.content) < MIN_ARTICLE_CHARS:
            raise
        article = _entry_content(entry)
    return replace(
        article,
        title=article.title or entry.title,
        published_at=article.published_at or entry.published_at,
    )


def _entry_content(entry: FeedEntry) -> ArticleInput:
    """A feed entry's own text: an HTML fragment, so tags are dropped rather than page-parsed."""
    name = entry.title or "A feed entry"
    raw = entry.content or ""
    text = unescape(raw)  # a summary without tags still escapes "&" as "&amp;"
    if "<" in raw:
        try:
            text = lxml.html.fragment_fromstring(raw, create_parent="div").text_content()
        except (lxml.etree.ParserError, ValueError):
            text = unescape(re.sub(r"<[^>]*>", " ", raw))
    article = parse_text(f"{entry.title}\n{text}" if entry.title else text, url=entry.link, name=name)
    return replace(article, title=entry.title)


# ---------------------------------------------------------------------------- small helpers


def _clean_meta(value: str | None) -> str | None:
    return clean_text(value)[:500] or None if value else None


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    try:
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except OverflowError:  # a date at the very edge of the calendar, with an offset: not a real date
        return None


def _struct_time(value: object) -> datetime | None:
    if not value:
        return None
    try:
        y, mo, d, h, mi, sec = value[:6]  # type: ignore[index]
        return datetime(y, mo, d, h, mi, sec, tzinfo=UTC)
    except (TypeError, ValueError):
        return None
