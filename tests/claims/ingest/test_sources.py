"""Turning files, pages and feeds into articles, over real HTTP on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from claims.errors import InputError
from claims.ingest.sources import (
    FetchPolicy,
    check_url_allowed,
    fetch,
    fetch_article,
    fetch_articles,
    fetch_feed_articles,
    load_file,
    parse_html,
)

STORY = (
    "<p>President Trump said on Thursday that he saw good signals toward a cease-fire agreement "
    "between Russia and Ukraine, as officials met in Moscow.</p>"
    "<p>“We have to do it,” he said of Greenland. “We really need it for national security.”</p>"
    "<p>Mark Rutte, the NATO secretary general, deflected the question, saying he did not want "
    "to “drag NATO into that.”</p>"
)
PAGE = f"""<!doctype html><html><head><title>Talks | Example News</title>
<meta property="article:published_time" content="2025-03-13T18:00:00Z">
<meta name="author" content="Jane Reporter"><link rel="canonical" href="https://example.org/a">
</head><body><nav><a href="/">Home</a> <a href="/world">World</a> Subscribe now!</nav>
<div class="ad">BUY CHEAP WATCHES</div><article><h1>Talks continue</h1>{STORY}</article>
<script>alert('x')</script><footer>© Example News. Share full article</footer></body></html>"""
INDEX = "<html><body><nav><a href='/1'>One</a><a href='/2'>Two</a></nav></body></html>"


def feed(items: str) -> str:
    return (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>F</title>"
        f"<link>http://x/</link><description>d</description>{items}</channel></rss>"
    )


@pytest.fixture
def site(httpserver: HTTPServer) -> str:
    base = httpserver.url_for("").rstrip("/")
    routes: dict[str, tuple[int, str, bytes]] = {
        "/article": (200, "text/html; charset=utf-8", PAGE.encode()),
        "/index": (200, "text/html", INDEX.encode()),
        "/huge": (200, "text/html", b"<p>" + b"x" * 50_000 + b"</p>"),
        "/empty-feed": (200, "application/rss+xml", feed("").encode()),
        "/feed": (200, "application/rss+xml", feed(
            f"<item><title>One</title><link>{base}/article</link></item>"
            f"<item><title>Gone</title><link>{base}/missing</link></item>").encode()),
        "/binary": (200, "application/octet-stream", b"\x00\x01\x02" * 100),
    }
    for path, (status, ctype, body) in routes.items():
        httpserver.expect_request(path).respond_with_data(body, status=status, content_type=ctype)
    httpserver.expect_request("/moved").respond_with_data(b"", status=302, content_type="text/html",
                                                         headers={"Location": "/article"})
    httpserver.no_handler_status_code = 404  # any other path, as a real site answers it
    return base


LOCAL = FetchPolicy(timeout=5, max_bytes=20_000, allow_private=True)


def test_html_page_gives_story_without_navigation_or_adverts(site: str) -> None:
    art = fetch_article(f"{site}/article", policy=LOCAL)
    assert "good signals" in art.text and "drag NATO into that" in art.text
    for junk in ("Subscribe now", "CHEAP WATCHES", "alert(", "Home"):
        assert junk not in art.text
    assert art.author == "Jane Reporter"
    assert art.published_at is not None and art.published_at.isoformat().startswith("2025-03-13")
    assert art.canonical_url == "https://example.org/a"


def test_redirects_are_followed(site: str) -> None:
    assert "good signals" in fetch_article(f"{site}/moved", policy=LOCAL).text


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/index", "no article text"),
        ("/missing", "HTTP 404"),
        ("/huge", "byte limit"),
        ("/binary", "binary"),
    ],
)
def test_bad_pages_are_clear_errors(site: str, path: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        fetch_article(f"{site}{path}", policy=LOCAL)


def test_unreachable_url_is_a_clear_error() -> None:
    import socket

    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(InputError, match="could not be reached: check the address") as info:
        fetch(f"http://127.0.0.1:{port}/x", policy=LOCAL)
    assert "Error" not in str(info.value)  # a sentence, not an exception's class name


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/", "http://localhost:8080/a", "http://10.1.2.3/", "http://169.254.169.254/",
     "http://[::1]/", "file:///etc/passwd", "ftp://example.org/"],
)
def test_private_and_non_http_urls_are_refused(url: str) -> None:
    with pytest.raises(InputError, match=r"CLAIMBOT_ALLOW_PRIVATE_URLS=true|not an http"):
        check_url_allowed(url, allow_private=False)


def test_errors_never_echo_query_strings(site: str) -> None:
    with pytest.raises(InputError) as info:
        fetch(f"{site}/missing?token=SECRET123", policy=LOCAL)
    assert "SECRET123" not in str(info.value)


def test_feed_entries_become_articles_and_failures_are_reported(site: str) -> None:
    items = list(fetch_feed_articles(f"{site}/feed", policy=LOCAL))
    assert len(items) == 2
    assert "good signals" in items[0].text  # type: ignore[union-attr]
    assert isinstance(items[1], InputError) and "404" in str(items[1])


def test_a_url_is_read_as_article_or_feed_by_its_content(site: str) -> None:
    assert len(list(fetch_articles(f"{site}/feed", policy=LOCAL))) == 2
    [single] = fetch_articles(f"{site}/article", policy=LOCAL)
    assert "good signals" in single.text  # type: ignore[union-attr]


def test_feed_without_entries_is_an_error(site: str) -> None:
    with pytest.raises(InputError, match="no entries"):
        list(fetch_feed_articles(f"{site}/empty-feed", policy=LOCAL))


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"   \n\t ", "empty"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
     (b"Too short.", "too short")],
)
def test_bad_files_are_clear_errors(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        load_file(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_file(tmp_path / "nope.txt")


def test_local_html_file_with_canonical_url(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    art = load_file(path, canonical_url="https://example.org/canonical")
    assert art.canonical_url == "https://example.org/canonical"
    assert "Subscribe now" not in art.text


def test_hostile_html_is_reduced_to_text() -> None:
    hostile = ("<html><body><article><p>" + "Officials said the talks would continue next week. " * 4
               + "<img src=x onerror=alert(1)><iframe src='javascript:alert(1)'></iframe>"
               "<b>&lt;script&gt;</b></p></article></body></html>")
    art = parse_html(hostile)
    assert "onerror" not in art.text and "<iframe" not in art.text
