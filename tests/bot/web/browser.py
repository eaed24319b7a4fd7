"""A real headless Chromium for the browser tests (Debian's ``chromium`` driven through its
``chromedriver`` by Selenium; nothing is downloaded), and the pages served by uvicorn on loopback.

On a developer machine without Chromium the browser tests are skipped with the command that
installs it; in CI (``CI=true``) a missing browser fails them instead, so they never go quiet.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from starlette.applications import Starlette

CHROMIUM = os.environ.get("CLAIMBOT_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CLAIMBOT_TEST_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
         "--window-size=1280,900")
INSTALL = "apt-get install chromium chromium-driver"


def chromium() -> Iterator[webdriver.Chrome]:
    """One headless Chromium, quit afterwards (for a fixture)."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not (os.path.isfile(p) or shutil.which(p))]
    if missing:
        reason = f"browser tests need Chromium and its driver ({', '.join(missing)} missing): {INSTALL}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(90)  # a loaded CI machine; a page here normally loads in milliseconds
    try:
        yield driver
    finally:
        driver.quit()


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """``app`` under uvicorn on a loopback port of its own; yields the base URL.

    The socket is bound and listening before uvicorn starts, so a request made at once waits in
    the backlog instead of being refused: nothing to poll for."""
    # IPPROTO_TCP, not socket()'s protocol 0: asyncio sets TCP_NODELAY only on sockets that say TCP
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)
        sock.close()
