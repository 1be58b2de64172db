"""Measure the public pages under gunicorn, with the anonymous page cache on and off.

Builds a throwaway installation (demo content, collected static files) in a temporary
folder, serves it with gunicorn in production mode on a free local port, and drives
each page from concurrent client threads, one keep-alive connection each. Progress goes
to stderr, the results table to stdout.

    .venv/bin/python bench/public_pages.py [--workers 4] [--clients 8] [--seconds 5]
        [--database-url postgres://postgres@127.0.0.1:5432/csrc_bench]
"""

import argparse
import http.client
import os
import sys
from dataclasses import dataclass

from common import (
    HOST,
    REQUEST_TIMEOUT,
    BenchError,
    Installation,
    engine_name,
    fetch,
    format_table,
    installation,
    load_get,
    note,
    percentile_ms,
    positive_float,
    positive_int,
    run_guarded,
    serve,
)

PAGES = ("/", "/branches/gangseo/", "/stories/team-leader-interview/", "/apply/")
# The application form is never served from the page cache: the cache skips it, and each
# answer carries its own CSRF token.
UNCACHED_PAGES = ("/apply/",)
CACHE_HEADER = "X-Wagtail-Cache"
CSRF_FIELD = b'name="csrfmiddlewaretoken"'


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


def check_page(port: int, path: str, cached: bool) -> None:
    """Request the page twice, warming the cache; raise unless the second answer is as expected."""
    fetch(port, path)
    response = fetch(port, path)
    if response.status != 200:
        raise BenchError(f"{path} answered {response.status}")
    header = response.getheader(CACHE_HEADER)
    if not cached:
        expected = None
    elif path in UNCACHED_PAGES:
        expected = "skip"
    else:
        expected = "hit"
    if header != expected:
        raise BenchError(f"{path}: expected {CACHE_HEADER} {expected or 'absent'}, got {header or 'none'}")
    if path in UNCACHED_PAGES and CSRF_FIELD not in body(port, path):
        raise BenchError(f"{path}: the form has no CSRF token")


def body(port: int, path: str) -> bytes:
    """GET `path` on a new connection and return the body of the answer."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", path)
        return connection.getresponse().read()
    finally:
        connection.close()


def measure(args: argparse.Namespace, site: Installation) -> list[Result]:
    """Serve the site with the page cache on, then off, and load each page in turn."""
    results = []
    for mode, cached in (("cache on", True), ("cache off", False)):
        with serve(site, args.workers, PAGE_CACHE=str(cached).lower()) as port:
            for page in PAGES:
                note(f"{mode}: {page}")
                check_page(port, page, cached)
                latencies, errors, elapsed = load_get(port, page, args.clients, args.seconds)
                results.append(Result(mode, page, latencies, errors, elapsed))
    return results


def table(results: list[Result]) -> str:
    """Return the results as an aligned plain-text table."""
    rows = [("mode", "page", "requests", "req/s", "p50 ms", "p99 ms", "errors")]
    rows += [
        (
            result.mode,
            result.page,
            str(len(result.latencies)),
            f"{result.rate:.1f}",
            percentile_ms(result.latencies, 0.50),
            percentile_ms(result.latencies, 0.99),
            str(result.errors),
        )
        for result in results
    ]
    return format_table(rows, left_columns=2)


def run(args: argparse.Namespace) -> int:
    """Prepare a temporary installation, measure it, print the results and return the exit status."""
    with installation(args.database_url) as site:
        results = measure(args, site)
    print(
        f"Public pages on {engine_name(args.database_url)}: gunicorn {args.workers} sync workers, "
        f"{args.clients} client threads, {args.seconds:g} s per page, {os.cpu_count()} CPUs shared with the clients"
    )
    print(table(results))
    return 0


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
    return run_guarded(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
