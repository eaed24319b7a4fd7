"""Links in messages: finding them, recognising a tracked article whatever the spelling of its URL,
and recording the ones we do not track for the team.

Nothing here fetches anything. A reader's link is looked up in the store; an unknown one is only
written down (``ReportedLink``), and an admin decides whether to ingest it.

The same article reaches readers under many spellings: with ``utm_`` and ``fbclid`` tracking
parameters, ``http`` or ``https``, with or without ``www.`` and a trailing slash, with a fragment.
``link_key`` folds those into one key for counting reports; ``url_variants`` lists the spellings a
stored article's URL may have, so the lookup stays an indexed ``IN`` query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlmodel import Session, col, func, select

from claims.store.models import Article, ClaimAppearance, ReportedLink, utcnow
from claims.store.views import ClaimView, SourceView, get_claims

MAX_URL_CHARS = 2048
MAX_LINKS = 3
"""Links looked at per message: a message is about one article, rarely a few; never a link dump."""

URL_PATTERN = re.compile(r"(?<![\w@/])(?:https?://|www\.)[^\s<>\"“”«»]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'’”»…"
_TRACKING = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid|igsh|ref_src|ref_url|"
    r"smid|cmpid|ocid|_ga|at_medium|at_campaign|xtor|share|sharesource|s_cid)$",
    re.IGNORECASE,
)


def find_urls(text: str, *, most: int = MAX_LINKS) -> list[str]:
    """The http(s) links in ``text`` in order, each once, trailing punctuation left out."""
    found: dict[str, None] = {}
    for m in URL_PATTERN.finditer(text or ""):
        url = m.group(0)
        while url and url[-1] in _TRAILING and not (url[-1] == ")" and url.count("(") >= url.count(")")):
            url = url[:-1]
        cleaned = clean_url(url)
        if cleaned and cleaned not in found:
            found[cleaned] = None
        if len(found) >= most:
            break
    return list(found)


def without_urls(text: str) -> str:
    """``text`` with its links blanked out (same length, so offsets into it stay valid)."""
    return URL_PATTERN.sub(lambda m: " " * len(m.group(0)), text or "")


def clean_url(url: str) -> str | None:
    """An http(s) URL without its fragment and tracking parameters, host in lower case;
    ``None`` for anything that is not a web link."""
    url = url.strip()
    if url.lower().startswith("www."):
        url = "https://" + url
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or "." not in host or len(url) > MAX_URL_CHARS:
        return None
    netloc = host if port is None else f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not _TRACKING.match(k)])
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", query, ""))


def link_key(url: str) -> str:
    """One key per article whatever the spelling: no scheme, no ``www.``, no trailing slash."""
    cleaned = clean_url(url) or url.strip()
    parts = urlsplit(cleaned)
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    return (host + path + (f"?{parts.query}" if parts.query else ""))[:MAX_URL_CHARS]


def url_variants(url: str) -> set[str]:
    """The spellings under which the article at ``url`` may be stored."""
    out = {url.strip()}
    cleaned = clean_url(url)
    if cleaned is None:
        return out
    parts = urlsplit(cleaned)
    bare = parts.netloc.removeprefix("www.")
    path = parts.path.rstrip("/")
    for scheme in ("https", "http"):
        for host in (bare, f"www.{bare}"):
            for tail in {path, path + "/"}:
                out.add(urlunsplit((scheme, host, tail, parts.query, "")))
    return {u for u in out if u and len(u) <= MAX_URL_CHARS}


# ---------------------------------------------------------------------------- tracked articles


@dataclass(frozen=True, slots=True)
class TrackedArticle:
    """An article in the store a reader linked to, and the live claims tracked from it."""

    source: SourceView
    claims: tuple[ClaimView, ...]
    total: int  # live claims from the article (``claims`` may hold only the first few)


def tracked_article(*, session: Session, url: str, most: int = 10) -> TrackedArticle | None:
    """The stored article behind ``url`` (any spelling), with its claims; ``None`` if not tracked."""
    variants = list(url_variants(url))
    article = session.exec(
        select(Article).where(col(Article.canonical_url).in_(variants) | col(Article.url).in_(variants))
        .order_by(col(Article.id))
    ).first()
    if article is None or article.id is None:
        return None
    ids = session.exec(
        select(ClaimAppearance.claim_id).where(ClaimAppearance.article_id == article.id)
        .order_by(col(ClaimAppearance.sentence_index), col(ClaimAppearance.start))
    ).all()
    live = [v for v in get_claims(session=session, claim_ids=ids) if v.status == "active"]
    source = SourceView(article_id=article.id, url=article.canonical_url or article.url, title=article.title,
                        outlet=article.outlet, published_at=article.published_at)
    return TrackedArticle(source, tuple(live[:most]), len(live))


# ---------------------------------------------------------------------------- links for the team


@dataclass(frozen=True, slots=True)
class LinkView:
    """A link readers sent that is not tracked, as the team sees it."""

    id: int
    url: str
    reports: int
    first_reported_at: datetime
    last_reported_at: datetime
    handled: bool


def _view(row: ReportedLink) -> LinkView:
    assert row.id is not None
    return LinkView(row.id, row.url, row.reports, row.first_reported_at, row.last_reported_at,
                    row.handled_at is not None)


def record_link(*, session: Session, url: str) -> LinkView:
    """Count one more report of ``url`` (the first one creates the row); a link handled before but
    sent again while still untracked goes back on the team's list."""
    key = link_key(url)
    row = session.exec(select(ReportedLink).where(ReportedLink.key == key)).first()
    now = utcnow()
    if row is None:
        row = ReportedLink(key=key, url=(clean_url(url) or url)[:MAX_URL_CHARS], first_reported_at=now,
                           last_reported_at=now)
    else:
        row.reports += 1
        row.last_reported_at = now
        row.handled_at = None
    session.add(row)
    session.flush()
    return _view(row)


def get_link(*, session: Session, link_id: int) -> ReportedLink | None:
    return session.get(ReportedLink, link_id)


def mark_link_handled(*, session: Session, link_id: int, article_id: int | None) -> None:
    """The team dealt with the link (ingested it: ``article_id``)."""
    row = session.get(ReportedLink, link_id)
    if row is not None:
        row.handled_at = utcnow()
        row.article_id = article_id if article_id is not None else row.article_id
        session.add(row)


def open_links(*, session: Session, since: datetime, most: int = 10) -> tuple[list[LinkView], int]:
    """Unhandled links reported since ``since``, most reported first, and how many there are."""
    where = (col(ReportedLink.last_reported_at) >= since, col(ReportedLink.handled_at).is_(None))
    total = session.exec(select(func.count()).select_from(ReportedLink).where(*where)).one()
    rows = session.exec(
        select(ReportedLink).where(*where)
        .order_by(col(ReportedLink.reports).desc(), col(ReportedLink.last_reported_at).desc())
        .limit(most)
    ).all()
    return [_view(r) for r in rows], int(total)
