"""``claimbot`` commands as real OS processes, forked from a parent that has already imported them.

Every command a test runs is still its own process, with its own arguments, environment, working
folder, standard streams, signals and exit status. What is saved is the second a new interpreter
spends importing the package: the parent (one per test worker, started on first use, itself a
fresh interpreter: nothing of the test process is inherited) imports ``bot.cli`` once, then forks a
child per command. The child runs the command as the ``claimbot`` console script does
(``sys.exit(main())``), or as ``python -m bot.cli`` does (``runpy`` with ``__name__ ==
"__main__"``).

Interpreter start-up itself stays covered by the tests that start ``python -m bot.cli`` from
scratch (the closed-pipe and terminal tests of tests/test_cli.py) and by the installed wheel's
check in ``.ci/run``.

The parent reads one JSON request per line on stdin and answers on stdout, one JSON line each: the
child's pid as soon as it is forked, then its exit status when it ends.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import itertools
import json
import os
import queue
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def clean_env() -> dict[str, str]:
    """This process's environment for a ``claimbot`` process, without the caller's ``CLAIMBOT_``
    settings but for the semantic model the run chose (``off`` unless ``--semantic-model``): with
    the extra installed, a command left to the default model would load torch and look for it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMBOT_")}
    if "CLAIMBOT_SEMANTIC_MODEL" in os.environ:
        env["CLAIMBOT_SEMANTIC_MODEL"] = os.environ["CLAIMBOT_SEMANTIC_MODEL"]
    return env
CLAIMBOT = Path(sys.executable).with_name("claimbot")


# ---------------------------------------------------------------------------- the forking parent


def _exit_status(code: object) -> int:
    """What the interpreter makes of ``SystemExit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _run_child(request: dict[str, Any]) -> None:
    """In the forked child: become the command and never return."""
    import runpy

    status = 1
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        stdin = os.open(request["stdin"] or os.devnull, os.O_RDONLY)
        stdout = os.open(request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        stderr = stdout if request["stderr"] is None else os.open(
            request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        for fd, opened in enumerate((stdin, stdout, stderr)):
            os.dup2(opened, fd)
        for opened in {stdin, stdout, stderr}:
            os.close(opened)
        os.closerange(3, 256)  # the parent's pipes and wake-up fd: a new process has none of them
        enc, errors = sys.__stdout__.encoding, sys.__stdout__.errors  # type: ignore[union-attr]
        sys.stdin = sys.__stdin__ = open(0, encoding=enc, errors=errors, closefd=False)  # noqa: SIM115
        sys.stdout = sys.__stdout__ = open(1, "w", encoding=enc, errors=errors, closefd=False)  # noqa: SIM115
        sys.stderr = sys.__stderr__ = open(  # noqa: SIM115
            2, "w", encoding=enc, errors="backslashreplace", buffering=1, closefd=False)
        try:
            if request["script"]:  # the console script: ``from bot.cli import main; sys.exit(main())``
                sys.argv = [str(CLAIMBOT), *request["args"]]
                sys.path[0] = str(CLAIMBOT.parent)
                from bot.cli import main

                sys.exit(main())
            else:  # python -m bot.cli: the working folder first on the path, the module as __main__
                sys.argv = ["-m", *request["args"]]
                sys.path[0] = os.getcwd()
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
    """The parent: import the CLI once, then fork a child per request and report how each ends."""
    import bot
    import bot.cli  # the point: everything it imports is loaded before forking

    # ... but not bot.cli itself, which each child imports or runs as __main__ afresh (as a new
    # process does, and without runpy's warning about running a module imported already)
    del sys.modules["bot.cli"], bot.cli

    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    children: set[int] = set()
    pending = b""
    open_input = True

    def reply(message: dict[str, Any]) -> None:
        os.write(1, (json.dumps(message) + "\n").encode())

    while open_input or children:
        ready, _, _ = select.select([0, wake_r] if open_input else [wake_r], [], [], 1.0)
        if wake_r in ready:
            os.read(wake_r, 4096)
        while children:
            pid, wait_status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            children.discard(pid)
            reply({"pid": pid, "status": os.waitstatus_to_exitcode(wait_status)})
        if 0 in ready:
            chunk = os.read(0, 65536)
            if not chunk:  # the test worker is done: nothing it started outlives it
                open_input = False
                for pid in children:
                    os.kill(pid, signal.SIGKILL)
                continue
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                request = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    _run_child(request)
                children.add(pid)
                reply({"id": request["id"], "pid": pid})


# ---------------------------------------------------------------------------- the test side


class ForkedProcess:
    """A command running in a forked process (the parts of ``asyncio.subprocess.Process`` tests use)."""

    def __init__(self, pid: int, args: list[str]) -> None:
        self.pid = pid
        self.args = args
        self.returncode: int | None = None
        self._ended = threading.Event()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[int]]] = []
        self._lock = threading.Lock()

    def _end(self, status: int) -> None:
        with self._lock:
            self.returncode = status
            self._ended.set()
            waiters, self._waiters = self._waiters, []
        for loop, future in waiters:
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits there any more
                loop.call_soon_threadsafe(_resolve, future, status)

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    async def wait(self) -> int:
        with self._lock:
            if self.returncode is not None:
                return self.returncode
            future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
            self._waiters.append((asyncio.get_running_loop(), future))
        return await future

    def wait_blocking(self, timeout: float) -> int:
        if not self._ended.wait(timeout):
            raise subprocess.TimeoutExpired(self.args, timeout)
        assert self.returncode is not None
        return self.returncode


def _resolve(future: asyncio.Future[int], status: int) -> None:
    if not future.done():
        future.set_result(status)


class ForkedCli:
    """Starts the forking parent on first use and runs commands through it."""

    def __init__(self, io_dir: Path) -> None:
        self._parent: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        self._lock = threading.Lock()
        self._io_dir = io_dir  # where captured streams are kept, out of the commands' way
        self._ids = itertools.count()
        self._started: dict[int, queue.Queue[int]] = {}
        self._running: dict[int, ForkedProcess] = {}
        self._ended: dict[int, int] = {}  # exit statuses that came before their process was known

    def _start(self) -> subprocess.Popen[bytes]:
        if self._parent is None or self._parent.poll() is not None:
            env = clean_env()
            self._parent = subprocess.Popen(
                [sys.executable, "-c", "from tests.cli_processes import serve; serve()"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, env=env,
            )
            self._reader = threading.Thread(target=self._read, args=(self._parent,), daemon=True)
            self._reader.start()
        return self._parent

    def _read(self, parent: subprocess.Popen[bytes]) -> None:
        assert parent.stdout is not None
        for line in parent.stdout:
            message = json.loads(line)
            if "id" in message:
                self._started.pop(message["id"]).put(message["pid"])
                continue
            with self._lock:
                proc = self._running.pop(message["pid"], None)
                if proc is None:
                    self._ended[message["pid"]] = message["status"]
            if proc is not None:
                proc._end(message["status"])

    def start(self, args: list[str], *, env: dict[str, str], cwd: Path, script: bool = False,
              stdin: Path | None = None, stdout: Path, stderr: Path | None = None) -> ForkedProcess:
        """Start a command; ``stderr=None`` sends it where ``stdout`` goes."""
        started: queue.Queue[int] = queue.Queue()
        with self._lock:
            parent = self._start()
            assert parent.stdin is not None
            request_id = next(self._ids)
            self._started[request_id] = started
            request = {"id": request_id, "args": args, "env": env, "cwd": str(cwd), "script": script,
                       "stdin": stdin and str(stdin), "stdout": str(stdout), "stderr": stderr and str(stderr)}
            parent.stdin.write((json.dumps(request) + "\n").encode())
            parent.stdin.flush()
        pid = started.get(timeout=60)
        proc = ForkedProcess(pid, args)
        with self._lock:
            status = self._ended.pop(pid, None)
            if status is None:
                self._running[pid] = proc
        if status is not None:
            proc._end(status)
        return proc

    def run(self, args: list[str], *, env: dict[str, str], cwd: Path, input: str | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Like ``subprocess.run([python, -m, bot.cli, *args], capture_output=True, text=True)``."""
        name = f"run-{next(self._ids)}"
        stdin = None
        if input is not None:
            stdin = self._io_dir / f"{name}.stdin"
            stdin.write_text(input, encoding="utf-8")
        out, err = self._io_dir / f"{name}.stdout", self._io_dir / f"{name}.stderr"
        proc = self.start(args, env=env, cwd=cwd, stdin=stdin, stdout=out, stderr=err)
        try:
            status = proc.wait_blocking(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        result = subprocess.CompletedProcess(
            ["bot.cli", *args], status, out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8"))
        for path in (stdin, out, err):
            if path is not None:
                path.unlink()
        return result

    def close(self) -> None:
        """Stop the parent (it kills any command still running: none outlives the tests)."""
        if self._parent is not None:
            assert self._parent.stdin is not None and self._parent.stdout is not None
            self._parent.stdin.close()
            self._parent.wait(30)
            if self._reader is not None:
                self._reader.join(30)
            self._parent.stdout.close()
        self._parent = self._reader = None


_shared: ForkedCli | None = None


def shared() -> ForkedCli:
    """This test process's runner (the ``forked_cli`` fixture closes it at the end of the session)."""
    global _shared
    if _shared is None:
        _shared = ForkedCli(Path(tempfile.mkdtemp(prefix="claimbot-forked-")))
    return _shared


def close_shared() -> None:
    global _shared
    if _shared is not None:
        _shared.close()
        shutil.rmtree(_shared._io_dir, ignore_errors=True)
    _shared = None
