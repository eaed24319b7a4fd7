"""Running ``claimbot`` as real OS processes against the emulator (bot runs, CLI commands)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from tests import cli_processes
from tests.bot.emulator import TOKEN, Emulator
from tests.bot.harness import ADMIN_ID
from tests.cli_processes import ForkedProcess, clean_env


def claimbot_env(emulator: Emulator | None, database_url: str, **extra: str) -> dict[str, str]:
    """A clean environment for a ``claimbot`` process: nothing inherited from the caller's settings."""
    env = clean_env()
    env["CLAIMBOT_DATABASE_URL"] = database_url
    if emulator is not None:
        env.update({
            "CLAIMBOT_TELEGRAM_TOKEN": TOKEN,
            "CLAIMBOT_TELEGRAM_API_URL": emulator.url,
            "CLAIMBOT_ADMIN_IDS": str(ADMIN_ID),
        })
    env.update(extra)
    return env


async def start_claimbot(*args: str, env: dict[str, str], log: Path) -> ForkedProcess:
    """Start ``claimbot ARGS`` in its own process, in this working folder as a plain start would be,
    with its output (both streams) going to ``log``. The process is forked from one that imported
    the package already (tests/cli_processes.py), which saves the second of imports."""
    return cli_processes.shared().start(list(args), env=env, cwd=Path.cwd(), script=True, stdout=log)


async def run_claimbot(*args: str, env: dict[str, str], log: Path, within: float = 120) -> int:
    """Run ``claimbot ARGS`` to the end; its exit status."""
    proc = await start_claimbot(*args, env=env, log=log)
    return await asyncio.wait_for(proc.wait(), within)


async def stop_claimbot(proc: ForkedProcess) -> int:
    """SIGTERM, as a service manager would send, and the exit status."""
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
    return await asyncio.wait_for(proc.wait(), 30)
