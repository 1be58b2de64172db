"""Measure the public pages under gunicorn, with the anonymous page cache on and off.

Builds a throwaway installation (demo content, collected static files) in a temporary
folder, serves it with gunicorn in production mode on a free local port, and drives
each page from concurrent client threads, one keep-alive connection each. Progress goes
to stderr, the results table to stdout.

    .venv/bin/python bench/public_pages.py [--workers 4] [--clients 8] [--seconds 5]
        [--database-url postgres://postgres@127.0.0.1:5432/csrc_bench]
"""

import argparse
import contextlib
import http.client
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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PAGES = ("/", "/branches/gangseo/", "/stories/team-leader-interview/")
CACHE_HEADER = "X-Wagtail-Cache"
START_TIMEOUT = 60.0
REQUEST_TIMEOUT = 10.0
# Inherited settings that would point the run at shared services or change what it measures.
DROPPED_VARIABLES = ("DATABASE_URL", "REDIS_URL", "PAGE_CACHE_REDIS_DB", "PAGE_CACHE_SECONDS", "DB_CONN_MAX_AGE")


class BenchError(Exception):
    """A step of the benchmark failed; the message says which and why."""


@dataclass
class Result:
    """What one page returned under load in one mode."""

    mode: str
    page: str
    latencies: list[float]
    errors: int
    elapsed: float

    @property
    def rate(self) -> float:
        """Return the responses per second."""
        return len(self.latencies) / self.elapsed

    def percentile_ms(self, fraction: float) -> str:
        """Return the nearest-rank latency percentile in milliseconds, formatted."""
        if not self.latencies:
            return "-"
        ordered = sorted(self.latencies)
        return f"{ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] * 1000:.1f}"


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


def manage(python: str, args: list[str], env: dict[str, str]) -> None:
    """Run a manage.py command quietly; raise with its output when it fails."""
    completed = subprocess.run(
        [python, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{completed.stdout}{completed.stderr}")


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
def serve(python: str, env: dict[str, str], workers: int, log: Path) -> Iterator[int]:
    """Run gunicorn on a free local port for the duration of the block; yield the port."""
    port = free_port()
    command = [
        python,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        f"--bind={HOST}:{port}",
        f"--workers={workers}",
    ]
    with log.open("ab") as output:
        # Its own session keeps Ctrl-C away from gunicorn so that stop() shuts it down in order.
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_until_answering(process, port, log)
        yield port
    finally:
        stop(process)


def check_page(port: int, path: str, cached: bool) -> None:
    """Request the page twice, warming the cache; raise unless the second answer is as expected."""
    fetch(port, path)
    response = fetch(port, path)
    if response.status != 200:
        raise BenchError(f"{path} answered {response.status}")
    header = response.getheader(CACHE_HEADER)
    expected = "hit" if cached else None
    if header != expected:
        raise BenchError(f"{path}: expected {CACHE_HEADER} {expected or 'absent'}, got {header or 'none'}")


def drive(port: int, path: str, clients: int, seconds: float) -> tuple[list[float], int, float]:
    """Request `path` from `clients` threads for `seconds`; return latencies, errors and elapsed time."""
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
                connection.request("GET", path)
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
    elapsed = time.perf_counter() - started
    return [latency for own in latencies for latency in own], sum(errors), elapsed


def measure(args: argparse.Namespace, python: str, env: dict[str, str], log: Path) -> list[Result]:
    """Serve the site with the page cache on, then off, and load each page in turn."""
    results = []
    for mode, cached in (("cache on", True), ("cache off", False)):
        with serve(python, {**env, "PAGE_CACHE": str(cached).lower()}, args.workers, log) as port:
            for page in PAGES:
                note(f"{mode}: {page}")
                check_page(port, page, cached)
                latencies, errors, elapsed = drive(port, page, args.clients, args.seconds)
                results.append(Result(mode, page, latencies, errors, elapsed))
    return results


def engine_name(database_url: str | None) -> str:
    """Return the database engine (and PostgreSQL database name) without credentials."""
    if not database_url:
        return "SQLite"
    return f"PostgreSQL ({urlsplit(database_url).path.lstrip('/')})"


def table(results: list[Result]) -> str:
    """Return the results as an aligned plain-text table."""
    rows = [("mode", "page", "requests", "req/s", "p50 ms", "p99 ms", "errors")]
    rows += [
        (
            result.mode,
            result.page,
            str(len(result.latencies)),
            f"{result.rate:.1f}",
            result.percentile_ms(0.50),
            result.percentile_ms(0.99),
            str(result.errors),
        )
        for result in results
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.ljust(width) if column < 2 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def run(args: argparse.Namespace) -> None:
    """Prepare a temporary installation, measure it and print the results."""
    python = project_python()
    with tempfile.TemporaryDirectory(prefix="csrc-bench-") as var_dir:
        env = base_env(Path(var_dir), args.database_url)
        note(f"Preparing {engine_name(args.database_url)} installation in {var_dir}")
        prepare(python, env)
        results = measure(args, python, env, Path(var_dir) / "gunicorn.log")
    print(
        f"Public pages on {engine_name(args.database_url)}: gunicorn {args.workers} sync workers, "
        f"{args.clients} client threads, {args.seconds:g} s per page, {os.cpu_count()} CPUs shared with the clients"
    )
    print(table(results))


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


def main() -> int:
    """Parse the options, run the benchmark and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=positive_int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--clients", type=positive_int, default=8, help="concurrent client threads (default 8)")
    parser.add_argument("--seconds", type=positive_float, default=5.0, help="load duration per page (default 5)")
    parser.add_argument(
        "--database-url", help="benchmark this PostgreSQL database (migrated and seeded) instead of a new SQLite"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, raise_exit)
    try:
        run(args)
    except BenchError as error:
        note(f"Benchmark failed: {error}")
        return 1
    except KeyboardInterrupt:
        note("Interrupted.")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
