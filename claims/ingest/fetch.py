"""Fetching a URL without letting the server, or its DNS, decide what it costs us.

- **Addresses are pinned.** Each hop's host is resolved once; the addresses are checked (private and
  local ones are refused unless ``CLAIMBOT_ALLOW_PRIVATE_URLS`` allows them) and the connection goes
  to a checked address, with the Host header and TLS SNI still naming the host. A resolver that
  answers a public address for the check and 127.0.0.1 for the connection (DNS rebinding) gets
  nowhere, on every redirect hop.
- **One deadline per fetch.** ``timeout`` bounds each wait for bytes; ``deadline`` bounds the whole
  fetch, redirects and a server that drips one byte at a time included. The fetch runs in a worker
  thread and the caller stops waiting at the deadline.
- **The size cap counts decompressed bytes as they arrive**, so a small gzip body that inflates to
  gigabytes stops at the cap with the cap's worth of memory.
- Every refusal is one sentence that names the setting allowing more, and no message carries a
  URL's credentials or query string.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from claims.errors import InputError
from claims.settings import Settings

MAX_REDIRECTS = 5
_ENCODINGS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}

#: Host name and port to the addresses it resolves to (``socket.getaddrinfo`` by default).
Resolver = Callable[[str, int], Sequence[str]]


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Limits for fetching remote content; ``allow_private`` guards against server-side forgery.

    ``trusted_hosts`` are hosts an operator named themselves (a URL on the command line): they may
    be private, and so may redirects and feed entries that stay on them. Everything else follows
    ``allow_private``.
    """

    timeout: float = 15.0
    max_bytes: int = 5_000_000
    user_agent: str = "claimbot/0.1"
    allow_private: bool = False
    deadline: float = 20.0
    trusted_hosts: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        """The limits the operator configured (``CLAIMBOT_FETCH_*``, ``CLAIMBOT_ALLOW_PRIVATE_URLS``)."""
        return cls(timeout=settings.fetch_timeout_seconds, max_bytes=settings.fetch_max_bytes,
                   user_agent=settings.user_agent, allow_private=settings.allow_private_urls,
                   deadline=settings.fetch_deadline_seconds)

    def trusting(self, url: str) -> FetchPolicy:
        """This policy with ``url``'s host trusted (the operator typed it)."""
        host = (urlsplit(url).hostname or "").lower()
        return FetchPolicy(self.timeout, self.max_bytes, self.user_agent, self.allow_private,
                           self.deadline, self.trusted_hosts | {host} if host else self.trusted_hosts)

    def allows_private(self, host: str) -> bool:
        return self.allow_private or host.lower() in self.trusted_hosts


@dataclass(frozen=True, slots=True)
class Fetched:
    """The raw result of an HTTP fetch, after redirects."""

    url: str
    content: bytes
    content_type: str
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host``."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))


def fetch(
    url: str,
    *,
    policy: FetchPolicy,
    transport: httpx.BaseTransport | None = None,
    resolver: Resolver | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """GET ``url`` within the policy's limits, following redirects only to allowed addresses.

    ``transport`` replaces the network below the pinning (tests); ``resolver`` replaces DNS.
    """
    job = _Job(url, policy=policy, transport=transport, resolver=resolver or system_resolver,
               etag=etag, last_modified=last_modified)
    worker = threading.Thread(target=job.run, name="claimbot-fetch", daemon=True)
    worker.start()
    if not job.done.wait(policy.deadline):
        job.cancelled.set()
        raise InputError(
            f"{safe_url(url)} did not finish within {policy.deadline:g} s; "
            "CLAIMBOT_FETCH_DEADLINE_SECONDS allows longer."
        )
    if job.error is not None:
        raise job.error
    assert job.result is not None
    return job.result


def check_url_allowed(url: str, *, allow_private: bool, resolver: Resolver | None = None
                      ) -> list[str]:
    """The addresses ``url``'s host resolves to, all of them checked; refuses non-HTTP schemes and,
    unless allowed, hosts with any private, local or otherwise non-public address."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InputError(f"{safe_url(url)} is not an http(s) URL.")
    host = parts.hostname
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise InputError(f"{safe_url(url)} has an invalid port.") from None
    try:
        addresses = list((resolver or system_resolver)(host, port))
    except (OSError, UnicodeError) as exc:
        raise InputError(f"The host {host[:100]} could not be resolved.") from exc
    if not addresses:
        raise InputError(f"The host {host[:100]} could not be resolved.")
    if not allow_private:
        for address in addresses:
            ip = ipaddress.ip_address(address)
            if not ip.is_global or ip.is_multicast:
                raise InputError(
                    f"{safe_url(url)} points to a private or local address; "
                    "set CLAIMBOT_ALLOW_PRIVATE_URLS=true to allow fetching it."
                )
    return addresses


def safe_url(url: str) -> str:
    """A URL fit for a message or a log: no credentials, no query string (tokens hide there)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return url.split("?")[0].rsplit("@", 1)[-1][:200]
    return f"{parts.scheme}://{host}{port}{parts.path}"[:300] if parts.scheme else url[:200]


# ---------------------------------------------------------------------------- the work itself


class _Job:
    """One fetch, run in a worker thread so the caller can stop waiting at the deadline."""

    def __init__(self, url: str, *, policy: FetchPolicy, transport: httpx.BaseTransport | None,
                 resolver: Resolver, etag: str | None, last_modified: str | None) -> None:
        self.url, self.policy, self.resolver = url, policy, resolver
        self.transport = transport
        self.headers = {"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"}
        if etag:
            self.headers["If-None-Match"] = etag
        if last_modified:
            self.headers["If-Modified-Since"] = last_modified
        self.etag, self.last_modified = etag, last_modified
        self.done = threading.Event()
        self.cancelled = threading.Event()
        self.result: Fetched | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with httpx.Client(transport=self.transport or httpx.HTTPTransport(), trust_env=False,
                              follow_redirects=False) as client:
                self.result = self._follow(client)
        except InputError as exc:
            self.error = exc
        except httpx.TimeoutException:
            self.error = InputError(
                f"{safe_url(self.url)} did not answer within {self.policy.timeout:g} s; "
                "CLAIMBOT_FETCH_TIMEOUT_SECONDS allows longer."
            )
        except (httpx.HTTPError, OSError, ValueError) as exc:
            self.error = InputError(f"{safe_url(self.url)} {network_problem(exc)}")
        except Exception as exc:  # a bug: handed to the caller's thread, which reports it
            self.error = exc
        finally:
            self.done.set()

    def _follow(self, client: httpx.Client) -> Fetched:
        current = self.url
        for _ in range(MAX_REDIRECTS + 1):
            host = urlsplit(current).hostname or ""
            addresses = check_url_allowed(
                current, allow_private=self.policy.allows_private(host), resolver=self.resolver
            )
            response = self._send(client, current, addresses)
            try:
                if response.is_redirect and "location" in response.headers:
                    current = urljoin(current, response.headers["location"])
                    continue
                return self._result(current, response)
            finally:
                response.close()
        raise InputError(f"{safe_url(self.url)} redirects more than {MAX_REDIRECTS} times.")

    def _send(self, client: httpx.Client, url: str, addresses: list[str]) -> httpx.Response:
        """The request sent to the checked addresses in turn (the first that accepts a connection):
        the URL names the address, the Host header and SNI name the host."""
        parts = httpx.URL(url)
        last: httpx.ConnectError | None = None
        for address in addresses:
            pinned = parts.copy_with(host=address)
            request = client.build_request("GET", pinned, headers={**self.headers, "Host": _netloc(parts)},
                                           timeout=self.policy.timeout)
            if parts.scheme == "https":
                request.extensions["sni_hostname"] = parts.host
            try:
                return client.send(request, stream=True)
            except httpx.ConnectError as exc:
                last = exc
        assert last is not None
        raise last

    def _result(self, url: str, response: httpx.Response) -> Fetched:
        if response.status_code == 304:
            return Fetched(url=url, content=b"", content_type="", not_modified=True,
                           etag=self.etag, last_modified=self.last_modified)
        if response.status_code >= 400:
            raise InputError(f"{safe_url(url)} answered HTTP {response.status_code}.")
        content = b"".join(self._capped(url, response))
        return Fetched(
            url=url,
            content=content,
            content_type=response.headers.get("content-type", "").split(";")[0].strip().lower(),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )

    def _capped(self, url: str, response: httpx.Response) -> Iterator[bytes]:
        """The body, decompressed here chunk by chunk, stopping as soon as it passes the cap."""
        limit = self.policy.max_bytes
        too_big = InputError(f"{safe_url(url)} is larger than the {limit:,}-byte limit; "
                             "CLAIMBOT_FETCH_MAX_BYTES allows more.")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and len(declared) < 20 and int(declared) > limit:
            raise too_big
        inflate = _decompressor(url, response.headers.get("content-encoding", ""))
        size = 0
        for raw in response.iter_raw():
            if self.cancelled.is_set():
                raise InputError(f"{safe_url(url)} was abandoned at the deadline.")
            pieces = inflate(raw, limit + 1 - size) if inflate else [raw]
            for piece in pieces:
                size += len(piece)
                if size > limit:
                    raise too_big
                yield piece


def _decompressor(url: str, encoding: str) -> Callable[[bytes, int], list[bytes]] | None:
    """A function inflating one raw chunk into pieces of at most ``room`` bytes in total (plus one
    byte to detect going over), or None for an identity body."""
    name = encoding.strip().lower()
    if name in {"", "identity"}:
        return None
    if name not in _ENCODINGS:
        raise InputError(f"{safe_url(url)} uses a content encoding claimbot does not read ({name[:30]}).")
    state = zlib.decompressobj(_ENCODINGS[name])

    def inflate(chunk: bytes, room: int) -> list[bytes]:
        out: list[bytes] = []
        data = chunk
        try:
            while data and room > 0:
                piece = state.decompress(data, room)
                out.append(piece)
                room -= len(piece)
                data = state.unconsumed_tail
        except zlib.error:
            raise InputError(f"{safe_url(url)} sent a body that could not be decompressed.") from None
        return out

    return inflate


def _netloc(url: httpx.URL) -> str:
    host = f"[{url.host}]" if ":" in url.host else url.host
    return f"{host}:{url.port}" if url.port else host


def network_problem(exc: Exception) -> str:
    """What went wrong on the network, as the end of a sentence a reader can act on."""
    if isinstance(exc, httpx.ConnectError | ConnectionError):
        return "could not be reached: check the address, or the site may be down."
    if isinstance(exc, httpx.RemoteProtocolError):
        return "closed the connection before sending the whole page."
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "is not an http:// or https:// address."
    return "could not be fetched because of a network error."
