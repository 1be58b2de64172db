"""Real server processes for the tests of a production install: gunicorn, nginx, qcluster, Redis.

Each process runs in its own session with its output in a log file, so that a test can
read what the server saw, and is stopped in order (SIGTERM, then a kill of its group).
"""

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
HOST = "127.0.0.1"
START_TIMEOUT = 90.0
# Every setting the product reads (.env.example lists them): a server of these tests starts
# from none of the developer's own, which could point it at shared services or change it.
PRODUCT_VARIABLES = frozenset(re.findall(r"^([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.MULTILINE))


def require_tool(name: str, package: str) -> str:
    """Return the path of the program `name`; skip the test without it, or fail under E2E_REQUIRED."""
    # Debian keeps nginx and redis-server in sbin folders, which a user's PATH may lack.
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin:/usr/local/sbin")
    if found is None:
        message = f"{name} is not installed (apt-get install {package})"
        if os.environ.get("E2E_REQUIRED"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def production_env(var_dir: Path, **overrides: str) -> dict[str, str]:
    """Return the environment of an installation in `var_dir` with DEBUG off, as a server runs it."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in PRODUCT_VARIABLES | {"DJANGO_SETTINGS_MODULE", "USE_X_FORWARDED_FOR"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        VAR_DIR=str(var_dir),
        # The servers of these tests speak plain HTTP on loopback; TLS is the operator's.
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
    )
    env.update(overrides)
    return env


def manage(args: list[str], env: dict[str, str]) -> str:
    """Run a manage.py command and return its stdout; fail the test with its output when it fails."""
    completed = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode:
        pytest.fail(f"manage.py {' '.join(args)} failed:\n{completed.stdout}{completed.stderr}")
    return completed.stdout


def free_port() -> int:
    """Return a loopback TCP port that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start a server process with its output appended to `log`."""
    with log.open("ab") as output:
        # Its own session keeps a Ctrl-C of the test run away from it, so that stop() ends it in order.
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    """Stop a process gracefully; kill its whole group if it lingers or leaves children behind."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


@dataclass(frozen=True)
class Response:
    """A fully read HTTP answer."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def text(self) -> str:
        """Return the body as text."""
        return self.body.decode(errors="replace")


def request(
    port: int, method: str, path: str, *, body: bytes | None = None, headers: dict[str, str] | None = None
) -> Response:
    """Send one request on a new connection and return the whole answer."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return Response(answer.status, answer.headers, answer.read())
    finally:
        connection.close()


def wait_until_answering(
    process: subprocess.Popen, port: int, log: Path, headers: dict[str, str] | None = None
) -> None:
    """Return once the server on `port` answers HTTP; fail with its log if it exits or stays silent."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args[0]} exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            request(port, "GET", "/", headers=headers)
            return
        except (OSError, http.client.HTTPException):
            time.sleep(0.2)
    pytest.fail(f"{process.args[0]} did not answer within {START_TIMEOUT:g} s:\n{log.read_text(errors='replace')}")


def gunicorn_command(port: int, *options: str) -> list[str]:
    """Return the command that runs gunicorn with the shipped configuration on a loopback port."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(ROOT / "deploy" / "gunicorn.conf.py"),
        f"--bind={HOST}:{port}",
        *options,
    ]


def wait_for(condition: Callable[[], bool], *, timeout: float, message: str, interval: float = 0.2) -> None:
    """Poll `condition` until it returns true; fail with `message` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(message)
        time.sleep(interval)
