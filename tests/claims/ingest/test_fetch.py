"""Fetching against hostile servers and resolvers: pinned addresses, one deadline, a real size cap."""

from __future__ import annotations

import gzip
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from claims.errors import InputError
from claims.ingest.fetch import FetchPolicy, fetch
from claims.ingest.sources import FeedEntry, entry_article, fetch_feed_articles

PUBLIC = {"rebind.example": "93.184.216.34", "second.example": "93.184.216.35"}
TEXT = ("Officials said on Thursday that the talks would continue next week in Geneva, "
        "and that both sides expected progress. ") * 3


class Rebinding:
    """A hostile resolver: a public address the first time a name is asked, 127.0.0.1 after."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        first = self.asked.count(host) == 1
        return [PUBLIC[host]] if first and host in PUBLIC else ["127.0.0.1"]


class Recorder:
    """Stands in for the network below the pinning (no public address is reachable from the test
    machine): records what each connection was opened to and answers like a small site."""

    def __init__(self, routes: dict[str, httpx.Response]) -> None:
        self.routes = routes
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        return self.routes.get(request.headers["host"] + request.url.path, httpx.Response(404))


def test_dns_rebinding_cannot_reach_a_local_address() -> None:
    site = Recorder({"rebind.example/page": httpx.Response(200, stream=httpx.ByteStream(TEXT.encode()))})
    resolver = Rebinding()
    fetched = fetch("http://rebind.example/page", policy=FetchPolicy(), resolver=resolver,
                    transport=httpx.MockTransport(site))
    assert fetched.content.decode() == TEXT
    (request,) = site.seen
    assert request.url.host == PUBLIC["rebind.example"]  # the checked address, not a second lookup
    assert request.headers["host"] == "rebind.example"
    assert resolver.asked == ["rebind.example"]


def test_every_redirect_hop_is_checked_and_pinned() -> None:
    site = Recorder({
        "rebind.example/start": httpx.Response(302, headers={"location": "https://second.example/a"}),
        "second.example/a": httpx.Response(301, headers={"location": "http://rebind.example/again"}),
    })
    with pytest.raises(InputError, match="CLAIMBOT_ALLOW_PRIVATE_URLS=true") as info:
        fetch("http://rebind.example/start", policy=FetchPolicy(), resolver=Rebinding(),
              transport=httpx.MockTransport(site))
    assert "rebind.example/again" in str(info.value)  # the hop whose answer turned local
    first, second = site.seen
    assert first.url.host == PUBLIC["rebind.example"]
    assert second.url.host == PUBLIC["second.example"] and second.headers["host"] == "second.example"
    assert second.extensions["sni_hostname"] == "second.example"  # TLS still names the host


@pytest.fixture
def server(httpserver: HTTPServer) -> Iterator[str]:
    """The local server's address, serving ``TEXT`` plain, gzipped, and dripped a byte at a time."""
    stop = threading.Event()

    def drip(_request: Request) -> Response:
        def forever() -> Iterator[bytes]:
            while not stop.is_set():  # one byte at a time, until the test is over
                yield b"x"
                stop.wait(0.2)
        return Response(forever(), 200, content_type="text/plain", direct_passthrough=True)

    httpserver.expect_request("/drip").respond_with_handler(drip)
    httpserver.expect_request("/gzipped").respond_with_data(
        gzip.compress(TEXT.encode()), content_type="text/plain", headers={"Content-Encoding": "gzip"})
    httpserver.expect_request("/page").respond_with_data(TEXT, content_type="text/plain")
    yield httpserver.url_for("").removeprefix("http://").rstrip("/")
    stop.set()


def _hosts(httpserver: HTTPServer) -> list[str]:
    return [request.headers.get("Host", "") for request, _ in httpserver.log]


def test_the_connection_goes_to_the_resolved_address_and_keeps_the_host_name(server, httpserver) -> None:
    port = server.rsplit(":", 1)[1]
    fetched = fetch(f"http://news.test:{port}/page", policy=FetchPolicy(allow_private=True),
                    resolver=lambda host, _port: ["127.0.0.1"])
    assert fetched.content.decode() == TEXT
    assert _hosts(httpserver) == [f"news.test:{port}"]


def test_a_dripping_server_is_cut_off_at_the_deadline(server) -> None:
    address = server
    started = time.monotonic()
    with pytest.raises(InputError, match=r"within 1 s; CLAIMBOT_FETCH_DEADLINE_SECONDS"):
        fetch(f"http://{address}/drip", policy=FetchPolicy(allow_private=True, timeout=5, deadline=1))
    assert time.monotonic() - started < 3


def test_a_gzip_bomb_stops_at_the_cap_with_little_memory(server, httpserver) -> None:
    address = server
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = b"\0" * 1_000_000
    bomb = b"".join(packer.compress(zeros) for _ in range(200)) + packer.flush()  # 200 MB
    assert len(bomb) < 300_000
    httpserver.expect_request("/bomb").respond_with_data(bomb, content_type="text/plain",
                                                         headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="1,000,000-byte limit; CLAIMBOT_FETCH_MAX_BYTES"):
            fetch(f"http://{address}/bomb", policy=FetchPolicy(allow_private=True, max_bytes=1_000_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the cap is 1 MB and the bomb 200 MB; the in-process test server's own buffers count too
    assert peak < 16_000_000, f"peak {peak:,} bytes"


def test_a_gzipped_page_is_read(server) -> None:
    address = server
    assert fetch(f"http://{address}/gzipped", policy=FetchPolicy(allow_private=True)).content == TEXT.encode()


def test_feed_entries_follow_the_private_address_setting(server) -> None:
    address = server
    port = address.rsplit(":", 1)[1]
    policy = FetchPolicy(allow_private=False).trusting(f"http://{address}/feed")
    on_same_host = FeedEntry(link=f"http://{address}/page", title="Own", published_at=None, content=None)
    assert entry_article(on_same_host, policy=policy).text.startswith("Officials")
    elsewhere = FeedEntry(link=f"http://localhost:{port}/page", title="Other", published_at=None,
                          content=None)
    with pytest.raises(InputError, match="CLAIMBOT_ALLOW_PRIVATE_URLS=true"):
        entry_article(elsewhere, policy=policy)


def test_a_feed_entry_without_tags_has_its_entities_decoded() -> None:
    raw = (b"<?xml version='1.0'?><rss version='2.0'><channel><title>F</title><item><title>Trade</title>"
           b"<description>Tariffs &amp;amp; quotas: officials said the talks on steel &amp;amp; "
           b"aluminium would continue next week, and that both sides expected progress."
           b"</description></item></channel></rss>")
    (article,) = list(fetch_feed_articles("http://feed.example/rss", policy=FetchPolicy(), raw=raw))
    assert not isinstance(article, InputError)
    assert "steel & aluminium" in article.text and "&amp;" not in article.text
