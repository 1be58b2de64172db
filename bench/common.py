"""Share what the benchmarks need: a throwaway installation, gunicorn on a free port, and output helpers.

Each benchmark builds its installation (demo content, collected static files) in a
temporary folder, serves it with gunicorn in production mode on 127.0.0.1, and removes
both when it ends, also on Ctrl-C or SIGTERM. Progress goes to stderr, results to stdout.
"""

import argparse
import contextlib
import http.client
import json
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
START_TIMEOUT = 60.0
REQUEST_TIMEOUT = 10.0
# Inherited settings that would point the run at shared services or change what it measures.
DROPPED_VARIABLES = ("DATABASE_URL", "REDIS_URL", "PAGE_CACHE_REDIS_DB", "PAGE_CACHE_SECONDS", "DB_CONN_MAX_AGE")


class BenchError(Exception):
    """A step of the benchmark failed; the message says which and why."""


@dataclass(frozen=True)
class Installation:
    """A prepared installation: the python to run it with, its environment and its folder."""

    python: str
    env: dict[str, str]
    var_dir: Path

    @property
    def log(self) -> Path:
        """Return the file that collects gunicorn's output."""
        return self.var_dir / "gunicorn.log"


def note(message: str) -> None:
    """Print a progress line to stderr."""
    print(message, file=sys.stderr, flush=True)


def project_python() -> str:
    """Return the project's venv python, or the running one when there is no venv."""
    venv_python = ROOT / ".venv" / "bin" / "python"
    return str(venv_python) if venv_python.exists() else sys.executable


def base_env(var_dir: Path, database_url: str | None) -> dict[str, str]:
    """Return the environment of a production-mode installation in `var_dir`."""
    env = {name: value for name, value in os.environ.items() if name not in DROPPED_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        VAR_DIR=str(var_dir),
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        PAGE_CACHE="true",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def manage(python: str, args: list[str], env: dict[str, str]) -> str:
    """Run a manage.py command quietly and return its stdout; raise with its output when it fails."""
    completed = subprocess.run(
        [python, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{completed.stdout}{completed.stderr}")
    return completed.stdout


def prepare(python: str, env: dict[str, str]) -> None:
    """Migrate and load the demo (seed_demo needs DEBUG on), then collect static files."""
    debug_env = {**env, "DEBUG": "true"}
    for args in (["migrate", "--noinput"], ["setup"], ["seed_demo"]):
        note(f"manage.py {' '.join(args)}")
        manage(python, args, debug_env)
    # The manifest storage of DEBUG off is what gunicorn will read.
    note("manage.py collectstatic --noinput")
    manage(python, ["collectstatic", "--noinput"], env)
    # A reused PostgreSQL database may hold pages cached by an earlier run.
    manage(python, ["clear_wagtail_cache"], env)


@contextlib.contextmanager
def installation(database_url: str | None) -> Iterator[Installation]:
    """Prepare an installation in a temporary folder for the duration of the block; remove it after."""
    python = project_python()
    with tempfile.TemporaryDirectory(prefix="csrc-bench-") as var_dir:
        env = base_env(Path(var_dir), database_url)
        note(f"Preparing {engine_name(database_url)} installation in {var_dir}")
        prepare(python, env)
        yield Installation(python, env, Path(var_dir))


def free_port() -> int:
    """Return a local TCP port that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def fetch(port: int, path: str) -> http.client.HTTPResponse:
    """GET `path` on a new connection and return the fully read response."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


def wait_until_answering(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Return once the server answers HTTP; raise if it exits or stays silent."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            fetch(port, "/")
            return
        except OSError:
            time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer within {START_TIMEOUT:g} s:\n{log.read_text(errors='replace')}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn gracefully, killing its process group if it lingers."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextlib.contextmanager
def serve(site: Installation, workers: int, **overrides: str) -> Iterator[int]:
    """Run gunicorn on a free local port for the duration of the block; yield the port.

    `overrides` are environment variables set for gunicorn only.
    """
    port = free_port()
    command = [
        site.python,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        f"--bind={HOST}:{port}",
        f"--workers={workers}",
        # Gunicorn 27 otherwise opens a control socket at one fixed path in the home folder,
        # which a second server (another benchmark, a developer's) would share.
        "--no-control-socket",
    ]
    with site.log.open("ab") as output:
        # Its own session keeps Ctrl-C away from gunicorn so that stop() shuts it down in order.
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**site.env, **overrides},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_answering(process, port, site.log)
        yield port
    finally:
        stop(process)


def load_get(
    port: int, path: str, clients: int, seconds: float, headers: dict[str, str] | None = None
) -> tuple[list[float], int, float]:
    """GET `path` from `clients` threads for `seconds`; return latencies, errors and elapsed time.

    Each thread keeps one connection open (a new one after an error); an answer other
    than 200 counts as an error.
    """
    go = threading.Event()
    deadline = 0.0
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        own = latencies[index]
        go.wait()
        while (sent := time.perf_counter()) < deadline:
            try:
                connection.request("GET", path, headers=headers or {})
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                connection.close()
                continue
            own.append(time.perf_counter() - sent)
            if response.status != 200:
                errors[index] += 1
        connection.close()

    # Daemon threads let Ctrl-C end the run without waiting for the deadline.
    threads = [threading.Thread(target=client, args=(index,), daemon=True) for index in range(clients)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    deadline = started + seconds
    go.set()
    for thread in threads:
        thread.join()
    return [latency for own in latencies for latency in own], sum(errors), time.perf_counter() - started


def percentile_ms(latencies: list[float], fraction: float) -> str:
    """Return the nearest-rank percentile of latencies in seconds as milliseconds, formatted."""
    if not latencies:
        return "-"
    ordered = sorted(latencies)
    return f"{ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] * 1000:.1f}"


def engine_name(database_url: str | None) -> str:
    """Return the database engine (and PostgreSQL database name) without credentials."""
    if not database_url:
        return "SQLite"
    return f"PostgreSQL ({urlsplit(database_url).path.lstrip('/')})"


def format_table(rows: list[tuple[str, ...]], left_columns: int = 1) -> str:
    """Return rows (the first is the heading) as an aligned plain-text table.

    The first `left_columns` columns are text and align left; the rest are numbers and align right.
    """
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.ljust(width) if column < left_columns else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def positive_int(text: str) -> int:
    """Parse a command-line integer of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def positive_float(text: str) -> float:
    """Parse a command-line number above 0."""
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be above 0, got {text}")
    return value


def raise_exit(signum: int, frame: FrameType | None) -> None:
    """Turn a termination signal into SystemExit so that cleanup runs."""
    raise SystemExit(128 + signum)


def run_guarded(run: Callable[[], int]) -> int:
    """Call `run` with SIGTERM turned into cleanup; return its status, or 1 or 130 when it fails or is stopped."""
    signal.signal(signal.SIGTERM, raise_exit)
    try:
        return run()
    except BenchError as error:
        note(f"Benchmark failed: {error}")
        return 1
    except KeyboardInterrupt:
        note("Interrupted.")
        return 130


def rerun_inside(
    site: Installation,
    script: str,
    options: list[str],
    *,
    env: dict[str, str] | None = None,
    failure: str = "measuring in the installation failed",
) -> dict:
    """Run `script` again with `options` in the installation's environment; return the JSON its last line printed.

    Its progress and any traceback go straight to our stderr; stdout carries the results.
    """
    command = [site.python, str(Path(script).resolve()), *options]
    completed = subprocess.run(command, cwd=ROOT, env=env or site.env, stdout=subprocess.PIPE, text=True, check=False)
    if completed.returncode:
        raise BenchError(f"{failure} with exit status {completed.returncode}")
    return json.loads(completed.stdout.strip().splitlines()[-1])
