"""Turning what a user hands us (a file, a URL, a feed, pasted text or HTML) into article text.

Everything here either returns clean article text with its metadata or raises ``InputError`` with a
sentence that says what was wrong; nothing is stored from here.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import httpx
import lxml.etree
import lxml.html
import trafilatura

from claims.errors import InputError
from claims.normalize import clean_text

MIN_ARTICLE_CHARS = 80
_MAX_REDIRECTS = 5
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
class Fetched:
    """The raw result of an HTTP fetch, after redirects."""

    url: str
    content: bytes
    content_type: str
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


@dataclass(frozen=True, slots=True)
class FeedEntry:
    link: str | None
    title: str | None
    published_at: datetime | None
    content: str | None


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Limits for fetching remote content; ``allow_private`` guards against server-side forgery."""

    timeout: float = 15.0
    max_bytes: int = 5_000_000
    user_agent: str = "claimbot/0.1"
    allow_private: bool = False


# ---------------------------------------------------------------------------- decoding and parsing


def decode_document(raw: bytes, *, name: str) -> str:
    """Bytes to text, refusing binary files and empty ones with a message that names them."""
    if not raw.strip():
        raise InputError(f"{name} is empty.")
    if b"\x00" in raw[:8192]:
        raise InputError(f"{name} looks like a binary file, not an article.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
        if text.count("\ufffd") > len(text) / 100:
            raise InputError(f"{name} is not text in a known encoding.") from None
        return text


def looks_like_html(raw: bytes) -> bool:
    return bool(_HTML_SNIFF.search(raw[:4096]))


def looks_like_feed(raw: bytes) -> bool:
    head = raw[:2048].lstrip()
    return bool(_FEED_SNIFF.search(head)) and not looks_like_html(head[:200])


def parse_text(text: str, *, url: str | None = None, name: str = "The text") -> ArticleInput:
    """Plain text: the first short line without a full stop is taken as the title."""
    body = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(body) < MIN_ARTICLE_CHARS:
        raise InputError(f"{name} is too short to be an article ({len(body)} characters).")
    first, _, rest = body.partition("\n")
    first = first.strip()
    # A short first line followed by more text is a headline, even when it ends with a full stop.
    title = first if rest.strip() and len(first) <= 160 and not first.endswith(":") else None
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


def fetch(
    url: str,
    *,
    policy: FetchPolicy,
    client: httpx.Client | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """GET a URL with a timeout and a size cap, following redirects only to allowed hosts."""
    own = client is None
    client = client or httpx.Client(timeout=policy.timeout, headers={"User-Agent": policy.user_agent})
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        current = url
        for _ in range(_MAX_REDIRECTS + 1):
            check_url_allowed(current, allow_private=policy.allow_private)
            with client.stream("GET", current, headers=headers, timeout=policy.timeout) as resp:
                if resp.is_redirect and "location" in resp.headers:
                    current = urljoin(current, resp.headers["location"])
                    continue
                if resp.status_code == 304:
                    return Fetched(url=current, content=b"", content_type="", not_modified=True,
                                   etag=etag, last_modified=last_modified)
                if resp.status_code >= 400:
                    raise InputError(f"{_safe(current)} answered HTTP {resp.status_code}.")
                content = _read_capped(resp, policy.max_bytes, current)
                return Fetched(
                    url=current,
                    content=content,
                    content_type=resp.headers.get("content-type", "").split(";")[0].strip().lower(),
                    etag=resp.headers.get("etag"),
                    last_modified=resp.headers.get("last-modified"),
                )
        raise InputError(f"{_safe(url)} redirects too many times.")
    except httpx.TimeoutException as exc:
        raise InputError(f"{_safe(url)} did not answer within {policy.timeout:g} s.") from exc
    except httpx.HTTPError as exc:
        raise InputError(f"{_safe(url)} {_network_problem(exc)}") from exc
    finally:
        if own:
            client.close()


def _network_problem(exc: httpx.HTTPError) -> str:
    """What went wrong on the network, as the end of a sentence a reader can act on."""
    if isinstance(exc, httpx.ConnectError):
        return "could not be reached: check the address, or the site may be down."
    if isinstance(exc, httpx.RemoteProtocolError):
        return "closed the connection before sending the whole page."
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "is not an http:// or https:// address."
    return "could not be fetched because of a network error."


def _read_capped(resp: httpx.Response, max_bytes: int, url: str) -> bytes:
    declared = resp.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise InputError(f"{_safe(url)} is larger than the {max_bytes:,}-byte limit.")
    chunks: list[bytes] = []
    size = 0
    for chunk in resp.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise InputError(f"{_safe(url)} is larger than the {max_bytes:,}-byte limit.")
        chunks.append(chunk)
    return b"".join(chunks)


def check_url_allowed(url: str, *, allow_private: bool) -> None:
    """Refuse non-HTTP schemes, and hosts on private networks unless the operator allowed them."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InputError(f"{_safe(url)} is not an http(s) URL.")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(f"The host {parts.hostname} could not be resolved.") from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global or address.is_multicast:
            raise InputError(
                f"{_safe(url)} points to a private or local address; fetching it is not allowed."
            )


def fetch_article(url: str, *, policy: FetchPolicy, client: httpx.Client | None = None
                  ) -> ArticleInput:
    """A web article by URL; a feed URL is an error here (use ``fetch_feed_articles``)."""
    fetched = fetch(url, policy=policy, client=client)
    if "xml" in fetched.content_type and looks_like_feed(fetched.content):
        raise InputError(f"{_safe(url)} is a feed; ingest it as a feed.")
    article = parse_document(fetched.content, url=fetched.url, name=_safe(fetched.url))
    return replace(article, url=fetched.url, canonical_url=article.canonical_url or fetched.url)


def fetch_articles(url: str, *, policy: FetchPolicy, client: httpx.Client | None = None
                   ) -> Iterator[ArticleInput | InputError]:
    """Whatever a URL holds: its article, or each entry of the feed it turns out to be."""
    fetched = fetch(url, policy=policy, client=client)
    if looks_like_feed(fetched.content):
        yield from fetch_feed_articles(url, policy=policy, client=client, raw=fetched.content)
        return
    article = parse_document(fetched.content, url=fetched.url, name=_safe(fetched.url))
    yield replace(article, url=fetched.url, canonical_url=article.canonical_url or fetched.url)


def fetch_feed_articles(
    url: str, *, policy: FetchPolicy, client: httpx.Client | None = None, raw: bytes | None = None
) -> Iterator[ArticleInput | InputError]:
    """Each entry of a feed as an article; entries that fail are yielded as errors, not raised."""
    if raw is None:
        raw = fetch(url, policy=policy, client=client).content
    for entry in parse_feed(raw, name=_safe(url)):
        try:
            yield entry_article(entry, policy=policy, client=client)
        except InputError as exc:
            yield exc


def entry_article(entry: FeedEntry, *, policy: FetchPolicy, client: httpx.Client | None = None
                  ) -> ArticleInput:
    """The article behind a feed entry: its linked page, or the entry's own text when that fails."""
    try:
        if not entry.link:
            raise InputError(f"Feed entry {entry.title or '(untitled)'} has no link or content.")
        article = fetch_article(entry.link, policy=policy, client=client)
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
    text = raw
    if "<" in raw:
        try:
            text = lxml.html.fragment_fromstring(raw, create_parent="div").text_content()
        except (lxml.etree.ParserError, ValueError):
            text = re.sub(r"<[^>]*>", " ", raw)
    article = parse_text(f"{entry.title}\n{text}" if entry.title else text, url=entry.link, name=name)
    return replace(article, title=entry.title)


# ---------------------------------------------------------------------------- small helpers


def _safe(url: str) -> str:
    """A URL fit for a message: no credentials, no query string (tokens hide there)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}" if parts.scheme else url[:200]


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
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _struct_time(value: object) -> datetime | None:
    if not value:
        return None
    try:
        y, mo, d, h, mi, sec = value[:6]  # type: ignore[index]
        return datetime(y, mo, d, h, mi, sec, tzinfo=UTC)
    except (TypeError, ValueError):
        return None
