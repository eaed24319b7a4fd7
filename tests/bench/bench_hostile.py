"""Probes from issue 9 (hostile input and servers), run against a source tree, one line each.

Run: nice .venv/bin/python tests/bench/bench_hostile.py [--tree PATH]

``--tree`` runs the probes against another checkout of claimbot (for a before/after table): the CLI
runs as ``python -m bot.cli`` with that tree first on ``PYTHONPATH``, and the fetch probes import
its ``claims.ingest.sources``. Only interfaces both old and new code have are used.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ARTICLE = ("Tariff talks\nOfficials met in Washington on Thursday as negotiations continued.\n"
           "“Steel tariffs will rise by 5 percent next year,” Mr. Trump said on Thursday.\n")


class Site(BaseHTTPRequestHandler):
    bomb = b""
    hits: list[str] = []  # noqa: RUF012

    def do_GET(self) -> None:
        self.hits.append(self.path)
        if self.path == "/drip":
            self.send_response(200)
            self.end_headers()
            try:
                for _ in range(80):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.5)
            except OSError:  # the client gave up
                pass
            return
        body, extra = (self.bomb, {"Content-Encoding": "gzip"}) if self.path == "/bomb" else (
            f"<html><body><article><p>{ARTICLE}</p></article></body></html>".encode(), {})
        if self.path == "/feed":
            port = self.server.server_address[1]
            body = ("<?xml version='1.0'?><rss version='2.0'><channel><title>F</title><item><title>E"
                    f"</title><link>http://localhost:{port}/entry</link></item></channel></rss>").encode()
        self.send_response(200)
        for k, v in {"Content-Type": "text/html", "Content-Length": str(len(body)), **extra}.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def cli(tree: Path, tmp: Path, *args: str, **env: str) -> str:
    full = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMBOT_")}
    full.update({"PYTHONPATH": str(tree), "CLAIMBOT_DATABASE_URL": f"sqlite:///{tmp / 'p.db'}", **env})
    proc = subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
                          env=full, cwd=tmp, timeout=300)
    lines = proc.stderr.strip().splitlines()
    shape = "traceback" if "Traceback" in proc.stderr else f"{len(lines)} line(s)"
    return f"exit {proc.returncode}, {shape}: {(lines[-1] if lines else proc.stdout.strip())[:110]}"


def cli_probes(tree: Path, base: str) -> None:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        for label, line in [("nested JSON line", "[" * 100_000 + "]" * 100_000),
                            ("5,000-digit integer", '{"text": "A claim", "external_id": ' + "9" * 5000 + "}"),
                            ("date 0001-01-01T00:00:00+05:00",
                             '{"text": "A claim", "published_at": "0001-01-01T00:00:00+05:00"}')]:
            (tmp / "in.jsonl").write_text(line + "\n")
            print(f"import {label}: {cli(tree, tmp, 'import', 'in.jsonl')}")
        print(f"history 2147483648: {cli(tree, tmp, 'history', '2147483648')}")
        print("postgres:// URL: " + cli(tree, tmp, "db", "current",
                                         CLAIMBOT_DATABASE_URL="postgres://postgres@127.0.0.1:5432/test"))
        print("malformed URL: " + cli(tree, tmp, "claims", CLAIMBOT_DATABASE_URL="mysql//nope"))
        (tmp / "a.txt").write_text(ARTICLE)
        cli(tree, tmp, "db", "upgrade")
        holder = sqlite3.connect(tmp / "p.db", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        started = time.monotonic()
        result = cli(tree, tmp, "ingest", "a.txt")
        print(f"database is locked: {result} ({time.monotonic() - started:.1f} s)")
        holder.execute("ROLLBACK")
        holder.close()
        result = cli(tree, tmp, "ingest", f"{base}/feed")
        print(f"feed entry on localhost, ALLOW_PRIVATE_URLS unset: {result}")


def fetch_probes(base: str) -> None:
    from claims.ingest import sources

    policy = sources.FetchPolicy(allow_private=True, max_bytes=1_000_000)
    tracemalloc.start()
    try:
        sources.fetch(f"{base}/bomb", policy=policy)
        outcome = "read"
    except Exception as exc:
        outcome = str(exc)[:60]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"gzip bomb (270 KB -> 200 MB, cap 1 MB): peak {peak / 1e6:.1f} MB; {outcome}")
    started = time.monotonic()
    try:
        sources.fetch(f"{base}/drip", policy=sources.FetchPolicy(allow_private=True, timeout=2))
        outcome = "read"
    except Exception as exc:
        outcome = str(exc)[:90]
    print(f"1 byte every 0.5 s for 40 s: {time.monotonic() - started:.1f} s; {outcome}")

    real = socket.getaddrinfo
    asked: list[str] = []

    def rebinding(host: str, port: object, *args: object, **kwargs: object) -> list:  # type: ignore[type-arg]
        if host != "rebind.test":
            return real(host, port, *args, **kwargs)  # type: ignore[arg-type]
        asked.append(host)
        address = "93.184.216.34" if len(asked) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    socket.getaddrinfo = rebinding  # type: ignore[assignment]
    Site.hits.clear()
    try:
        port = base.rsplit(":", 1)[1]
        sources.fetch(f"http://rebind.test:{port}/internal", policy=sources.FetchPolicy(timeout=2))
        outcome = "fetched"
    except Exception as exc:
        outcome = str(exc)[:70]
    finally:
        socket.getaddrinfo = real  # type: ignore[assignment]
    print(f"DNS rebinding (public, then 127.0.0.1): local server hit {'/internal' in Site.hits}; {outcome}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", type=Path, default=Path(__file__).resolve().parents[2])
    args = parser.parse_args()
    sys.path.insert(0, str(args.tree))
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    Site.bomb = b"".join(packer.compress(b"\0" * 1_000_000) for _ in range(200)) + packer.flush()
    assert gzip.decompress(Site.bomb[:0] + gzip.compress(b"ok")) == b"ok"
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    print(f"tree: {args.tree}")
    fetch_probes(base)
    cli_probes(args.tree, base)
    server.shutdown()
    print(json.dumps({"done": True}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
