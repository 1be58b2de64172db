"""Measure the staff applicant list of the Wagtail admin at 1,000 and at 100,000 applicants.

Builds a throwaway installation (demo content, collected static files) in a temporary
folder, tops its applicants up to 1,000 with bulk inserts, and requests three views of
/admin/applicants/ as the demo HR login, who sees every branch: the first page, a page
filtered by status and branch, and a search for part of a Korean name. It then grows
the applicants to 100,000 and requests the same views again. Each view gets warm-up
requests, one request whose SQL queries are counted and checked, and the timed ones.
Requests go through Django's test client inside one process in production mode (DEBUG
off), so the figures are the view's own work without a web server or network. Progress
goes to stderr, the results table to stdout; the exit status is 1 when a view answers
wrongly or its number of queries changes with the number of applicants.

    .venv/bin/python bench/backoffice.py [--requests 30] [--warmup 3] [--small 1000] [--large 100000]
        [--database-url postgres://postgres@127.0.0.1:5432/csrc_bench_backoffice]
"""

import argparse
import json
import os
import random
import re
import sys
import time
from datetime import datetime, timedelta

from common import (
    ROOT,
    BenchError,
    Installation,
    engine_name,
    format_table,
    installation,
    note,
    percentile_ms,
    positive_int,
    rerun_inside,
    run_guarded,
)

INDEX_PATH = "/admin/applicants/"
STAFF_LOGIN = "hr"
SEARCH_WORDS = "서연"
FILTER_STATUS = "interview"
SURNAMES = ("김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권", "황")
GIVEN_NAMES = ("서연", "민지", "지훈", "수아", "하준", "예린", "민서", "도윤", "지우", "서준", "하은", "지민")
# Marks the benchmark's applicants, so that a reused database can be cleaned without
# touching anyone else's rows; .invalid can never be delivered to.
EMAIL_DOMAIN = "backoffice-bench.invalid"
FIRST_MOBILE = 30_000_000  # 010-3000-0000 onwards: clear of the demo's and apply.py's numbers
BATCH_SIZE = 5000
# Applicants arrive one every few minutes, newest first by serial, so that 100,000 of
# them span about a year and the first page shows the same newest rows at both sizes.
ARRIVAL_GAP = timedelta(minutes=5)
SEED = 20240601
# The test client asks for this host; the installation allows only 127.0.0.1.
TEST_HOST = "testserver"
SELECT_LIST = re.compile(r'^SELECT (?:"\w+"\."\w+", )+"\w+"\."\w+" FROM ')
APPLICANT_LINK = re.compile(rf'href="{re.escape(INDEX_PATH)}(\d+)/"')


def query_string(data: dict[str, str]) -> str:
    """Return the list's path with its query parameters, unencoded for reading."""
    return f"{INDEX_PATH}?{'&'.join(f'{key}={value}' for key, value in data.items())}".rstrip("?")


# The functions down to `measure_inside` run only in the measuring process, after
# django.setup(); they import Django and the project where they need them because the
# process that builds the installation never sets Django up.


def grow(target: int, round_, districts: list, others: int, anchor: datetime) -> None:
    """Bulk-insert benchmark applicants until the table holds `target` rows in all.

    Serial n arrives `ARRIVAL_GAP` times n + 1 before `anchor`.
    """
    from django.db import transaction

    from recruiting.models import Applicant, ApplicantStatus, Source
    from recruiting.models.applicants import text_grams

    marked = Applicant.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
    first, last = marked.count(), target - others
    if last <= first:
        return
    started = time.perf_counter()
    for start in range(first, last, BATCH_SIZE):
        serials = range(start, min(start + BATCH_SIZE, last))
        batch = []
        for serial in serials:
            # One generator per serial keeps a row the same whichever size it was created at.
            rng = random.Random(SEED + serial)
            district = rng.choice(districts)
            name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
            batch.append(
                Applicant(
                    round=round_,
                    name=name,
                    # A bulk insert skips Applicant.save(), which keeps the grams the search uses.
                    name_grams=text_grams(name),
                    mobile=f"010{FIRST_MOBILE + serial:08d}",
                    email=f"bench-{serial}@{EMAIL_DOMAIN}",
                    birth_year=1960 + rng.randrange(45),
                    district=district,
                    preferred_branch=district.branch,
                    source=rng.choice(Source.values),
                    # Every mobile is unique, so no status can break the one live application rule.
                    status=rng.choice(ApplicantStatus.values),
                )
            )
        with transaction.atomic():
            Applicant.objects.bulk_create(batch, batch_size=BATCH_SIZE)
            # created_at is set to now on insert whatever the object says; bulk_update writes
            # the spread-out arrival times without calling the field's pre_save.
            for serial, applicant in zip(serials, batch, strict=True):
                applicant.created_at = anchor - ARRIVAL_GAP * (serial + 1)
            Applicant.objects.bulk_update(batch, ["created_at"], batch_size=1000)
        note(f"  {start + len(batch) + others:,} applicants")
    note(f"Created {last - first:,} applicants in {time.perf_counter() - started:.1f} s")


def refresh_statistics() -> None:
    """Give PostgreSQL's planner the statistics autovacuum would gather within a minute or so.

    Without them the planner would still plan for the nearly empty table of the last
    analysis. SQLite gets nothing: nothing in the project runs ANALYZE on it.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE recruiting_applicant")


def request_view(client, data: dict[str, str], expected, page_size: int | None) -> tuple[int, dict[str, object]]:
    """Request the list once counting its queries; check the rows it shows and return how many it shows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    durations: list[float] = []

    def timed(execute, sql, params, many, context):
        # The captured queries carry their time in whole milliseconds; most of ours take less.
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            durations.append(time.perf_counter() - started)

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timed):
        response = client.get(INDEX_PATH, data)
    where = query_string(data)
    if response.status_code != 200:
        raise BenchError(f"{where} answered {response.status_code}")
    shown = {int(pk) for pk in APPLICANT_LINK.findall(response.content.decode())}
    wanted = expected.count()
    if not shown:
        raise BenchError(f"{where} shows no applicant rows ({wanted:,} match)")
    if page_size is not None and len(shown) != min(wanted, page_size):
        raise BenchError(f"{where} shows {len(shown)} rows, expected {min(wanted, page_size)} of {wanted:,}")
    if expected.filter(pk__in=shown).count() != len(shown):
        raise BenchError(f"{where} shows applicants that do not match it")
    duration, query = max(zip(durations, captured.captured_queries, strict=True), key=lambda pair: pair[0])
    return len(shown), {
        "queries": len(captured.captured_queries),
        "sql_ms": sum(durations) * 1000,
        "slowest_ms": duration * 1000,
        "slowest_sql": query["sql"],
        "matching": wanted,
    }


def measure_inside(args: argparse.Namespace) -> int:
    """Grow the applicants and time the views; print the results as JSON on the last line of stdout.

    Runs in the installation's environment, started by `measure`.
    """
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from recruiting.models import Applicant, District, RecruitmentRound

    _, removed = Applicant.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").delete()
    if removed:
        note(f"Removed the {removed.get('recruiting.Applicant', 0):,} applicants of an earlier run")
    others = Applicant.objects.count()
    if others >= args.small:
        raise BenchError(f"the database holds {others:,} other applicants, not fewer than --small {args.small:,}")
    round_ = RecruitmentRound.objects.order_by("pk").first()
    districts = list(District.objects.exclude(branch=None).select_related("branch").order_by("pk"))
    if round_ is None or not districts:
        raise BenchError("the demo round or the districts served by a branch are missing")
    # The branch serving the most districts gets the most applicants, so its filtered page
    # holds rows even at the small size.
    branch_id = max(
        {district.branch_id for district in districts},
        key=lambda pk: sum(district.branch_id == pk for district in districts),
    )
    views = {
        "first page": ({}, Applicant.objects.all()),
        "filtered": (
            {"status": FILTER_STATUS, "preferred_branch": str(branch_id)},
            Applicant.objects.filter(status=FILTER_STATUS, preferred_branch_id=branch_id),
        ),
        "search": ({"q": SEARCH_WORDS}, Applicant.objects.filter(name__icontains=SEARCH_WORDS)),
    }
    client = Client()
    client.force_login(get_user_model().objects.get(username=STAFF_LOGIN))

    results: dict[str, object] = {
        "paths": {name: data for name, (data, _) in views.items()},
        "others": others,
        "sizes": [],
    }
    page_size = None
    anchor = timezone.now()
    for size in (args.small, args.large):
        note(f"Growing to {size:,} applicants")
        grow(size, round_, districts, others, anchor)
        refresh_statistics()
        measured: dict[str, dict] = {}
        for name, (data, expected) in views.items():
            note(f"{size:,} applicants: {name}")
            for _ in range(args.warmup):
                client.get(INDEX_PATH, data)
            shown, counted = request_view(client, data, expected, page_size)
            # The unfiltered list of the small size fills a whole page: its rows are the page size.
            page_size = page_size or shown
            latencies = []
            for _ in range(args.requests):
                started = time.perf_counter()
                client.get(INDEX_PATH, data)
                latencies.append(time.perf_counter() - started)
            measured[name] = {**counted, "shown": shown, "latencies": latencies}
        results["sizes"].append({"applicants": Applicant.objects.count(), "views": measured})
    print(json.dumps(results))
    return 0


def measure(args: argparse.Namespace, site: Installation) -> dict:
    """Run this script again in the installation's environment to measure; return what it printed."""
    env = {**site.env, "ALLOWED_HOSTS": f"{site.env['ALLOWED_HOSTS']},{TEST_HOST}"}
    options = [
        "--inside",
        f"--requests={args.requests}",
        f"--warmup={args.warmup}",
        f"--small={args.small}",
        f"--large={args.large}",
    ]
    return rerun_inside(site, __file__, options, env=env)


def statement(sql: str) -> str:
    """Return an SQL statement on one line with its list of columns left out."""
    return SELECT_LIST.sub("SELECT … FROM ", " ".join(sql.split()), count=1)


def table(results: dict) -> str:
    """Return one row per view and size, with the ratio of the medians on the larger size's row."""
    rows = [
        ("view", "applicants", "rows", "median ms", "p95 ms", "queries", "SQL ms", "slowest SQL ms", "median ratio")
    ]
    small, large = results["sizes"]
    for name in results["paths"]:
        medians = []
        for size in (small, large):
            view = size["views"][name]
            median = percentile_ms(view["latencies"], 0.50)
            medians.append(float(median))
            ratio = f"{medians[1] / medians[0]:.2f}" if size is large else ""
            rows.append(
                (
                    name,
                    f"{size['applicants']:,}",
                    str(view["shown"]),
                    median,
                    percentile_ms(view["latencies"], 0.95),
                    str(view["queries"]),
                    f"{view['sql_ms']:.1f}",
                    f"{view['slowest_ms']:.1f}",
                    ratio,
                )
            )
    return format_table(rows)


def run(args: argparse.Namespace) -> int:
    """Prepare a temporary installation, measure it, print the results and return the exit status."""
    with installation(args.database_url) as site:
        results = measure(args, site)
    small, large = results["sizes"]
    print(
        f"Staff applicant list on {engine_name(args.database_url)}: Django test client as {STAFF_LOGIN}, "
        f"DEBUG off, {args.requests} timed requests per view after {args.warmup} warm-up, {os.cpu_count()} CPUs"
    )
    print(f"  the applicants include {results['others']:,} that were there before (on a new database, the demo's)")
    for name, data in results["paths"].items():
        view = large["views"][name]
        print(f"  {name}: {query_string(data)} ({view['matching']:,} match at {large['applicants']:,})")
    print(table(results))
    differing = [
        name for name in results["paths"] if small["views"][name]["queries"] != large["views"][name]["queries"]
    ]
    print(
        f"query counts equal at {small['applicants']:,} and {large['applicants']:,}: "
        f"{'no, they differ for ' + ', '.join(differing) if differing else 'yes'}"
    )
    print(f"slowest statement of each view at {large['applicants']:,} applicants:")
    for name in results["paths"]:
        view = large["views"][name]
        print(f"  {name} ({view['slowest_ms']:.1f} ms): {statement(view['slowest_sql'])}")
    return 1 if differing else 0


def main() -> int:
    """Parse the options, run the benchmark and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=positive_int, default=30, help="timed requests per view (default 30)")
    parser.add_argument("--warmup", type=positive_int, default=3, help="warm-up requests per view (default 3)")
    parser.add_argument("--small", type=positive_int, default=1000, help="applicants at first (default 1000)")
    parser.add_argument("--large", type=positive_int, default=100_000, help="applicants after growing (default 100000)")
    parser.add_argument(
        "--database-url", help="benchmark this PostgreSQL database (migrated and seeded) instead of a new SQLite"
    )
    # The measuring half, run by `measure` in the installation's environment.
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.large <= args.small:
        parser.error("--large must be above --small")
    if args.inside:
        return run_guarded(lambda: measure_inside(args))
    return run_guarded(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
