"""``python -m bot.cli`` as real OS processes, forked from a parent that has already imported it.

Every command a test runs is still its own process, with its own arguments, environment, working
folder, standard streams (files: not a terminal, block-buffered, like pipes) and exit status. What
is saved is the second a new interpreter spends importing the package: the parent (one per test
worker, started on first use) imports ``bot.cli`` once, then forks a child per command, and the
child runs the module as ``python -m bot.cli`` does — ``runpy`` with ``__name__ == "__main__"``.

Interpreter start-up itself stays covered by the tests that start the ``claimbot`` script or
``python -m bot.cli`` directly (tests/bot/processes.py, tests/bot/test_run.py, test_replicas.py,
and the closed-pipe and terminal tests of tests/test_cli.py).

The parent reads one JSON request per line on stdin and answers on stdout: the child's pid as
soon as it is forked, then its exit status when it ends.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import threading
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _exit_status(code: object) -> int:
    """What the interpreter makes of ``SystemExit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _run_child(request: dict[str, Any]) -> None:
    """In the forked child: become ``python -m bot.cli ARGS`` and never return."""
    import runpy

    status = 1
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        for fd, (path, flags) in enumerate([
            (request["stdin"] or os.devnull, os.O_RDONLY),
            (request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
            (request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
        ]):
            opened = os.open(path, flags, 0o644)
            os.dup2(opened, fd)
            os.close(opened)
        enc, errors = sys.__stdout__.encoding, sys.__stdout__.errors  # type: ignore[union-attr]
        sys.stdin = sys.__stdin__ = open(0, encoding=enc, errors=errors, closefd=False)  # noqa: SIM115
        sys.stdout = sys.__stdout__ = open(1, "w", encoding=enc, errors=errors, closefd=False)  # noqa: SIM115
        sys.stderr = sys.__stderr__ = open(  # noqa: SIM115
            2, "w", encoding=enc, errors="backslashreplace", buffering=1, closefd=False)
        sys.argv = ["-m", *request["args"]]
        sys.path[0] = os.getcwd()  # as ``python -m`` puts the working folder first
        try:
            runpy.run_module("bot.cli", run_name="__main__", alter_sys=True)
            status = 0
        except SystemExit as exc:
            status = _exit_status(exc.code)
        except BaseException:
            traceback.print_exc()
            status = 1
        for thread in threading.enumerate():  # the interpreter waits for non-daemon threads
            if thread is not threading.main_thread() and not thread.daemon:
                thread.join()
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BrokenPipeError:
                status = 120
    except BaseException:  # the child's own set-up failed: say why on whatever stderr it has
        traceback.print_exc()
        sys.stderr.flush()
    finally:
        os._exit(status)


def serve() -> None:
    """The parent: import the CLI once, then fork a child per request."""
    import bot
    import bot.cli  # the point: everything it imports is loaded before forking

    # ... but not bot.cli itself, which each child runs as __main__ (as ``-m`` does, and without
    # runpy's warning about a module run that was imported already)
    del sys.modules["bot.cli"], bot.cli

    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _run_child(request)
        print(json.dumps({"pid": pid}), flush=True)
        _, wait_status = os.waitpid(pid, 0)
        print(json.dumps({"status": os.waitstatus_to_exitcode(wait_status)}), flush=True)


class ForkedCli:
    """The test side: start the parent lazily, then run commands through it."""

    def __init__(self, io_dir: Path) -> None:
        self._parent: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        self._io_dir = io_dir  # where the children's standard streams are kept, out of their way

    def _start(self) -> subprocess.Popen[str]:
        if self._parent is None or self._parent.poll() is not None:
            env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMBOT_")}
            self._parent = subprocess.Popen(
                [sys.executable, "-c", "from tests.cli_processes import serve; serve()"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env,
            )
        return self._parent

    def _reply(self, parent: subprocess.Popen[str], deadline: float) -> dict[str, Any]:
        assert parent.stdout is not None
        ready, _, _ = select.select([parent.stdout], [], [], deadline)
        if not ready:
            raise TimeoutError
        line = parent.stdout.readline()
        if not line:
            raise RuntimeError("the CLI parent process died")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def run(self, args: list[str], *, env: dict[str, str], cwd: Path, input: str | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Like ``subprocess.run([python, -m, bot.cli, *args], capture_output=True, text=True)``."""
        with self._lock:
            parent = self._start()
            assert parent.stdin is not None
            io_dir = self._io_dir
            stdin = None
            if input is not None:
                stdin = io_dir / "stdin"
                stdin.write_text(input, encoding="utf-8")
            out, err = io_dir / "stdout", io_dir / "stderr"
            request = {"args": args, "env": env, "cwd": str(cwd), "stdin": stdin and str(stdin),
                       "stdout": str(out), "stderr": str(err)}
            parent.stdin.write(json.dumps(request) + "\n")
            parent.stdin.flush()
            pid = self._reply(parent, 30)["pid"]
            try:
                status = self._reply(parent, timeout)["status"]
            except TimeoutError:
                os.kill(pid, signal.SIGKILL)
                self._reply(parent, 30)
                raise subprocess.TimeoutExpired(["bot.cli", *args], timeout) from None
            result = subprocess.CompletedProcess(
                ["bot.cli", *args], status,
                out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8"))
            for path in (stdin, out, err):
                if path is not None:
                    path.unlink()
            return result

    def close(self) -> None:
        if self._parent is not None and self._parent.poll() is None:
            assert self._parent.stdin is not None
            self._parent.stdin.close()
            self._parent.wait(30)
        if self._parent is not None and self._parent.stdout is not None:
            self._parent.stdout.close()
        self._parent = None
