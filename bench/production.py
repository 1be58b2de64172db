"""Measure the production layout, nginx in front of two gunicorn instances, against one gunicorn without nginx.

Builds a throwaway installation (demo content, collected static files) on a PostgreSQL
database, with the caches and the django-q broker in a Redis server of its own, and
serves it twice in production mode (DEBUG off) with deploy/gunicorn.conf.py:

- nginx (Debian's, with deploy/nginx/csrc.conf) in front of two gunicorn instances of
  `--workers` workers each, nginx sending the static files itself;
- one gunicorn instance with as many workers in all, answering the clients directly.

Each layout gets the same load: the three public pages (served from the page cache in
Redis), a static file, application submits to /apply/ and the staff applicant list
(/admin/applicants/ as the demo HR login). It prints requests per second, p50 and p99
latency and errors of each, side by side; progress goes to stderr. The exit status is 1
when an answer is wrong (an error, a submit not recorded).

    .venv/bin/python bench/production.py --database-url postgres://postgres@127.0.0.1:5432/csrc_bench_production
        [--workers 2] [--clients 8] [--seconds 5] [--submissions 300]
"""

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import apply
from common import (
    HOST,
    REQUEST_TIMEOUT,
    ROOT,
    BenchError,
    Installation,
    base_env,
    engine_name,
    fetch,
    format_table,
    free_port,
    load_get,
    note,
    percentile_ms,
    positive_float,
    positive_int,
    prepare,
    project_python,
    run_guarded,
    stop,
    wait_until_answering,
)

# The deployment's own helpers (deploy/nginx_config.py), importable from the project root.
sys.path.insert(0, str(ROOT))
from deploy.nginx_config import ShippedFileChanged, main_config, site_config  # noqa: E402

PAGES = ("/", "/branches/gangseo/", "/stories/team-leader-interview/")
STATIC_FILE = "css/site.css"
LIST_PATH = "/admin/applicants/"
STAFF_LOGIN = "hr"
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
PRIVATE_LOCATION = "/private-media/"
CACHE_HEADER = "X-Wagtail-Cache"
# Rows of the applicant list that link to an applicant.
APPLICANT_LINK = re.compile(rf'href="{re.escape(LIST_PATH)}\d+/"')
# The two layouts, as the table's columns name them.
NGINX_LAYOUT = "nginx"
DIRECT_LAYOUT = "direct"


@dataclass
class Result:
    """What one measure returned under load in one layout."""

    layout: str
    measure: str
    latencies: list[float]
    errors: int
    elapsed: float

    @property
    def rate(self) -> float:
        """Return the answers per second."""
        return len(self.latencies) / self.elapsed


def program(name: str, package: str) -> str:
    """Return the path of a system program; Debian keeps nginx and redis-server in sbin folders."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin:/usr/local/sbin")
    if found is None:
        raise BenchError(f"{name} is not installed (apt-get install {package})")
    return found


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start a server with its output in `log`, in a session of its own so that Ctrl-C reaches us only."""
    with log.open("ab") as output:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


@contextlib.contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """Run a Redis server of the run's own for the duration of the block; yield its URL."""
    port = free_port()
    command = [program("redis-server", "redis-server"), "--port", str(port), "--bind", HOST]
    command += ["--save", "", "--appendonly", "no", "--dir", str(folder)]
    process = start(command, dict(os.environ), folder / "redis.log")
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                if connection.recv(16).startswith(b"+PONG"):
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"redis-server did not start:\n{(folder / 'redis.log').read_text(errors='replace')}")
            time.sleep(0.1)
        yield f"redis://{HOST}:{port}/0"
    finally:
        stop(process)


@contextlib.contextmanager
def gunicorn(site: Installation, port: int, workers: int, env: dict[str, str], log: Path) -> Iterator[None]:
    """Run gunicorn with the shipped configuration on `port` for the duration of the block."""
    command = [site.python, "-m", "gunicorn", f"--config={GUNICORN_CONFIG}", f"--bind={HOST}:{port}"]
    process = start([*command, f"--workers={workers}"], env, log)
    try:
        wait_until_answering(process, port, log)
        yield
    finally:
        stop(process)


def nginx_config(folder: Path, port: int, upstreams: list[int], var_dir: Path, nginx: str) -> Path:
    """Write an nginx.conf like Debian's with the shipped site file, adapted to the run; return its path."""
    try:
        # The clients ask for the address they connect to, as the benchmarks' clients do.
        site = site_config(port=port, upstreams=upstreams, var_dir=var_dir, server_name=HOST)
    except ShippedFileChanged as error:
        raise BenchError(str(error)) from None
    (folder / "csrc.conf").write_text(site)
    (folder / "nginx.conf").write_text(main_config(prefix=folder, nginx=nginx, workers="auto", access_log=False))
    return folder / "nginx.conf"


@contextlib.contextmanager
def nginx_server(site: Installation, upstreams: list[int]) -> Iterator[int]:
    """Run nginx in front of the upstream ports for the duration of the block; yield its port."""
    nginx = program("nginx", "nginx")
    folder = site.var_dir / "nginx"
    folder.mkdir(exist_ok=True)
    port = free_port()
    config = nginx_config(folder, port, upstreams, site.var_dir, nginx)
    command = [nginx, "-p", str(folder), "-c", str(config), "-e", str(folder / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    if checked.returncode:
        raise BenchError(f"nginx -t refused the configuration:\n{checked.stderr}")
    process = start(command, site.env, folder / "nginx.log")
    try:
        wait_until_answering(process, port, folder / "error.log")
        yield port
    finally:
        stop(process)


def response_cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    """Return the cookies a response sets."""
    cookies = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    return {name: morsel.value for name, morsel in cookies.items()}


def sign_in(port: int, password: str) -> str:
    """Sign the demo HR login in to the Wagtail admin; return the Cookie header of her session."""
    cookies = response_cookies(fetch(port, "/admin/login/"))
    body = urlencode({"csrfmiddlewaretoken": cookies["csrftoken"], "username": STAFF_LOGIN, "password": password})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookies['csrftoken']}"}
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("POST", "/admin/login/", body, headers)
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    if response.status != 302:
        raise BenchError(f"signing {STAFF_LOGIN} in answered {response.status}")
    cookies |= response_cookies(response)
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def check(port: int, path: str, headers: dict[str, str], *, cached: bool = False) -> None:
    """Request `path` twice (warming the page cache); raise unless the second answer is what the load expects."""
    for _ in range(2):
        connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read().decode(errors="replace")
        finally:
            connection.close()
    if response.status != 200:
        raise BenchError(f"{path} answered {response.status}")
    if cached and response.getheader(CACHE_HEADER) != "hit":
        raise BenchError(f"{path}: expected {CACHE_HEADER} hit, got {response.getheader(CACHE_HEADER) or 'none'}")
    if path == LIST_PATH and not APPLICANT_LINK.search(body):
        raise BenchError(f"{path} shows no applicant")


def measure(args: argparse.Namespace, site: Installation, layout: str, port: int, password: str) -> list[Result]:
    """Load one layout, served on `port`, with every measure in turn."""
    results = []
    manifest = json.loads((site.var_dir / "static" / "staticfiles.json").read_text())
    gets = [(page, page, {}, True) for page in PAGES]
    gets.append((f"static {STATIC_FILE}", f"/static/{manifest['paths'][STATIC_FILE]}", {}, False))
    gets.append((f"{LIST_PATH} (HR)", LIST_PATH, {"Cookie": sign_in(port, password)}, False))
    for name, path, headers, cached in gets:
        note(f"{layout}: {name}")
        check(port, path, headers, cached=cached)
        latencies, errors, elapsed = load_get(port, path, args.clients, args.seconds, headers)
        results.append(Result(layout, name, latencies, errors, elapsed))

    note(f"{layout}: {args.submissions} submits to /apply/")
    forms = [apply.load_form(port) for _ in range(args.clients)]
    outcomes, elapsed = apply.drive(port, forms, apply.plan(args.submissions))
    recorded = [outcome for outcome in outcomes if outcome.status == 302]
    latencies = [outcome.latency for outcome in outcomes if outcome.status]
    results.append(Result(layout, "POST /apply/", latencies, len(outcomes) - len(recorded), elapsed))
    # The next layout posts the same applications to an empty slate.
    apply.shell(site, apply.REMOVE_EARLIER_RUN)
    return results


def run_layouts(args: argparse.Namespace, site: Installation) -> list[Result]:
    """Serve the installation in both layouts in turn and measure each."""
    password = apply.shell(site, "from cms.demo.loader import DEMO_PASSWORD; print(DEMO_PASSWORD)")
    results = []
    logs = site.var_dir
    behind_nginx = {**site.env, "TRUSTED_PROXY_COUNT": "1", "PRIVATE_MEDIA_ACCEL_REDIRECT": PRIVATE_LOCATION}
    first, second = free_port(), free_port()
    note(f"Starting nginx in front of two gunicorn instances of {args.workers} workers")
    with (
        gunicorn(site, first, args.workers, behind_nginx, logs / "gunicorn-1.log"),
        gunicorn(site, second, args.workers, behind_nginx, logs / "gunicorn-2.log"),
        nginx_server(Installation(site.python, behind_nginx, site.var_dir), [first, second]) as port,
    ):
        results += measure(args, site, NGINX_LAYOUT, port, password)
    port = free_port()
    note(f"Starting one gunicorn instance of {2 * args.workers} workers, without nginx")
    with gunicorn(site, port, 2 * args.workers, site.env, logs / "gunicorn-direct.log"):
        results += measure(args, site, DIRECT_LAYOUT, port, password)
    return results


def table(results: list[Result]) -> str:
    """Return both layouts side by side, one row per measure, and the ratio of their rates."""
    layouts = (NGINX_LAYOUT, DIRECT_LAYOUT)
    by_key = {(result.layout, result.measure): result for result in results}
    rows = [("measure", *(f"{layout} {column}" for layout in layouts for column in ("req/s", "p50", "p99", "err")))]
    rows[0] += ("nginx/direct",)
    for measure in dict.fromkeys(result.measure for result in results):
        cells = [measure]
        for layout in layouts:
            result = by_key[(layout, measure)]
            cells += [
                f"{result.rate:.1f}",
                percentile_ms(result.latencies, 0.50),
                percentile_ms(result.latencies, 0.99),
                str(result.errors),
            ]
        ratio = by_key[(NGINX_LAYOUT, measure)].rate / by_key[(DIRECT_LAYOUT, measure)].rate
        rows.append((*cells, f"{ratio:.2f}"))
    return format_table(rows)


def run(args: argparse.Namespace) -> int:
    """Prepare a temporary installation, measure both layouts, print the results and return the exit status."""
    python = project_python()
    with tempfile.TemporaryDirectory(prefix="csrc-bench-") as folder:
        var_dir = Path(folder)
        with redis_server(var_dir) as redis_url:
            env = base_env(var_dir, args.database_url)
            # An inherited EMAIL_HOST would not matter (no worker runs), but the limits would cut the run short.
            env.update(
                REDIS_URL=redis_url,
                PAGE_CACHE_REDIS_DB="1",
                RATE_LIMIT_APPLY_PER_ADDRESS="100000000",
                RATE_LIMIT_APPLY_PER_MOBILE="100000000",
            )
            note(f"Preparing {engine_name(args.database_url)} installation with Redis in {var_dir}")
            prepare(python, env)
            site = Installation(python, env, var_dir)
            removed = apply.shell(site, apply.REMOVE_EARLIER_RUN)
            if removed != "0":
                note(f"Removed {removed} applicants left by an earlier run")
            results = run_layouts(args, site)

    print(
        f"Production layout on {engine_name(args.database_url)} + Redis, DEBUG off, deploy/gunicorn.conf.py; "
        f"{args.clients} client threads, {args.seconds:g} s per GET, {args.submissions} submits per layout, "
        f"{os.cpu_count()} CPUs shared with the clients"
    )
    print(
        f"  {NGINX_LAYOUT}: nginx (deploy/nginx/csrc.conf) in front of 2 gunicorn instances of {args.workers} workers"
    )
    print(f"  {DIRECT_LAYOUT}: 1 gunicorn instance of {2 * args.workers} workers, no nginx (WhiteNoise sends static)")
    print("  latencies in ms; err counts answers other than 200 (302 for a submit) and failed connections")
    print(table(results))
    failed = [f"{result.layout}: {result.measure}" for result in results if result.errors]
    print(f"result: {'FAILED: errors in ' + ', '.join(failed) if failed else 'ok'}")
    return 1 if failed else 0


def main() -> int:
    """Parse the options, run the benchmark and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        required=True,
        help="the PostgreSQL database to migrate, seed and measure, e.g. postgres://postgres@127.0.0.1:5432/csrc_bench_production",
    )
    parser.add_argument(
        "--workers", type=positive_int, default=2, help="gunicorn workers of each instance behind nginx (default 2)"
    )
    parser.add_argument("--clients", type=positive_int, default=8, help="concurrent client threads (default 8)")
    parser.add_argument("--seconds", type=positive_float, default=5.0, help="load duration per GET (default 5)")
    parser.add_argument(
        "--submissions", type=positive_int, default=300, help="applications posted per layout (default 300)"
    )
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("--database-url must be a PostgreSQL URL: the layout measured is the production one")
    return run_guarded(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
