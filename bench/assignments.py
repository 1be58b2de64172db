"""Measure the assignment engine on generated books, and the book import, plan and apply on PostgreSQL.

First the engine alone, with no database, one process per size: a generated book of
100,000 customers for 600 consultants, and one of 1,000,000 contracts for 2,000
consultants. Beside each plan the greedy baseline (the round robin the CRM tools in use
deal by) runs on the same book; it prints the time and peak memory of a plan, and for
both ways of dealing the total distance, the spread of load and premium over the
consultants, who is left unassigned, and how many customers change hands when the
busiest consultant leaves and each is run again.

Then a throwaway installation (demo content) on PostgreSQL: 600 registered consultants
inserted in bulk, a generated book of 10,000 and then of 100,000 contracts imported
through the import services as the demo HR login, planned and applied through the run
services. It prints the import's rows per second and peak memory, the seconds and SQL
queries of plan and apply, and whether the queries stay the same as the book grows.
Progress goes to stderr, the results to stdout; the exit status is 1 when an answer is
wrong (a consultant over capacity, a pinned customer moved, a plan not applied as made,
query counts that grow with the book), not when a time or memory target is missed.

    .venv/bin/python bench/assignments.py [--customers 100000] [--consultants 600]
        [--large-contracts 1000000] [--large-consultants 2000] [--skip-large] [--engine-only]
        [--book-rows 100000] [--small-book-rows 10000]
        [--database-url postgres://postgres@127.0.0.1:5432/csrc_bench_assignments]
"""

import argparse
import contextlib
import itertools
import json
import math
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from common import (
    ROOT,
    BenchError,
    Installation,
    engine_name,
    format_table,
    installation,
    note,
    positive_int,
    project_python,
    rerun_inside,
    run_guarded,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/csrc_bench_assignments"
STAFF_LOGIN = "hr"
SEED = 20260601
# Consultants can take about a tenth more customers than the book holds, as HR plans the
# pool; each one's capacity is drawn between 60 % and 140 % of the mean.
CAPACITY_HEADROOM = 1.1
CAPACITY_SPREAD = 0.4
# One customer in 200 is pinned to a consultant (her wish, a family tie), mostly one of her branch.
PINNED_SHARE = 0.005
# Where consultants live is drawn from where this many customers of a generated book live.
HOME_SAMPLE = 20_000
# How a generated book names its product lines, and the engine's segment for each, in
# the order the import breaks ties of premium by (ProductLine's order).
SEGMENTS = {"자동차": "auto", "장기": "long_term", "일반": "general"}
# The targets: a plan of the first size under 5 s, of the large under 30 s
# and 2 GB; on the database, the plan service under 5 s and the apply service under 30 s.
ENGINE_TARGET_SECONDS = 5.0
LARGE_ENGINE_TARGET_SECONDS = 30.0
LARGE_MEMORY_TARGET_MB = 2048
PLAN_TARGET_SECONDS = 5.0
APPLY_TARGET_SECONDS = 30.0
# Marks the benchmark's consultants, so that a reused database can be cleaned without
# touching anyone else's rows; .invalid can never be delivered to.
EMAIL_DOMAIN = "assignments-bench.invalid"
FIRST_MOBILE = 50_000_000  # 010-5000-0000 onwards: clear of the demo's and the other benchmarks' numbers
# Cohort numbers from here on are far above any real or demo cohort.
FIRST_COHORT_NUMBER = 800
BOOK_FILE_PREFIX = "assignments-bench-"
# Released long enough ago that the ramp-up gives each consultant her whole capacity.
DAYS_IN_POOL = 120
SELECT_LIST = re.compile(r'^SELECT (?:"\w+"\."\w+"(?: AS "\w+")?, )+"\w+"\."\w+"(?: AS "\w+")? FROM ')
STATEMENT_CHARS = 160
# The figures the engine and the baseline are compared on; lower is better for each.
COMPARED = (
    ("total distance, km", "total_distance_km", "{:,.0f}"),
    ("mean distance of a placed customer, km", "mean_distance_km", "{:.2f}"),
    ("CV of load (customers ÷ capacity)", "load_cv", "{:.3f}"),
    ("CV of premium per consultant", "premium_cv", "{:.3f}"),
    ("CV of premium ÷ capacity", "premium_capacity_cv", "{:.3f}"),
    ("unassigned, in all *", "unassigned", "{:,}"),
    ("  region_unknown", "region_unknown", "{:,}"),
    ("  no_consultant_in_reach", "no_consultant_in_reach", "{:,}"),
    ("  no_capacity", "no_capacity", "{:,}"),
    ("unassigned with a known district", "unassigned_known", "{:,}"),
    ("busiest leaves: customers changed, in all", "changed", "{:,}"),
    ("  of them not hers", "changed_others", "{:,}"),
)


def peak_rss_mb() -> float:
    """Return the peak resident memory of this process so far, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux counts in kilobytes, macOS in bytes.
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)


def rss_mb() -> float | None:
    """Return the resident memory of this process now, in MB (None where /proc is missing)."""
    try:
        resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        return None
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


# The functions down to `measure_engine_inside` run only in a measuring process; they
# import the project where they need it, after putting it on the path.


def project_on_path() -> None:
    """Put the project first on the path: in this script's folder, this file would pass for the assignments app."""
    sys.path.insert(0, str(ROOT))


def contract_rows(contracts: int) -> Iterator[list[str]]:
    """Yield the first `contracts` rows of a generated book; its last customer may lose some contracts.

    Every customer has at least one contract, so a book of `contracts` customers has enough
    rows (the number only sets how many departed planners the book names).
    """
    from assignments.book_generator import book_rows

    return itertools.islice(book_rows(contracts, seed=SEED), contracts)


def customer_rows(customers: int) -> Iterator[list[str]]:
    """Yield the rows of a generated book of `customers` customers."""
    from assignments.book_generator import book_rows

    return book_rows(customers, seed=SEED)


def serving_branches() -> dict[str, int]:
    """Return the branch (numbered from 1 in the real site's order) serving each 시군구 code.

    The same mapping the import makes from the districts' branches: a Gyeonggi 구 is
    served by the branch of its city, and Incheon has no branch.
    """
    from assignments.geography import SIGUNGU
    from cms.site_content import BRANCHES

    provinces = {"서울특별시": "seoul", "경기도": "gyeonggi"}
    serving = {
        (province, name): number
        for number, branch in enumerate(BRANCHES, 1)
        for province, names in branch["districts"].items()
        for name in names
    }
    branches = {}
    for code, unit in SIGUNGU.items():
        key = (provinces.get(unit.sido), unit.name.split()[0])
        if key in serving:
            branches[code] = serving[key]
    return branches


def engine_book(rows: Iterable[list[str]], branches: dict[str, int]) -> tuple[list, int]:
    """Return the customers of the rows as the engine takes them, and the number of rows.

    A customer's segment is her product line with the most premium, as the import derives it.
    """
    from assignments.engine import CustomerInput
    from assignments.geography import sigungu_from_address

    order = {segment: index for index, segment in enumerate(SEGMENTS.values())}
    book = []
    contracts = 0
    for number, grouped in itertools.groupby(rows, key=lambda row: row[0]):
        premium_by_segment: Counter[str] = Counter()
        address = ""
        for row in grouped:
            address = row[3]
            premium_by_segment[SEGMENTS[row[5]]] += int(row[6])
            contracts += 1
        sigungu = sigungu_from_address(address)
        book.append(
            CustomerInput(
                id=int(number[1:]),
                sigungu=sigungu,
                segment=max(premium_by_segment, key=lambda line: (premium_by_segment[line], -order[line])),
                premium=sum(premium_by_segment.values()),
                branch_id=branches.get(sigungu),
            )
        )
    return book, contracts


def capacities(count: int, customers: int, rng: random.Random) -> list[int]:
    """Return `count` capacities spread around their mean, adding up to about the headroom times `customers`."""
    weights = [rng.uniform(1 - CAPACITY_SPREAD, 1 + CAPACITY_SPREAD) for _ in range(count)]
    total = sum(weights)
    return [round(CAPACITY_HEADROOM * customers * weight / total) for weight in weights]


def engine_consultants(book: list, count: int, branches: dict[str, int]) -> list:
    """Return `count` consultants living where customers of Seoul and Gyeonggi live.

    Consultants are recruited in Seoul and Gyeonggi only, and each works at the branch
    serving her home.
    """
    from assignments.engine import ConsultantInput

    rng = random.Random(SEED)
    homes = [customer.sigungu for customer in book if customer.sigungu in branches]
    drawn = [rng.choice(homes) for _ in range(count)]
    return [
        ConsultantInput(id=number, branch_id=branches[home], home=home, capacity=capacity)
        for number, (home, capacity) in enumerate(zip(drawn, capacities(count, len(book), rng), strict=True), 1)
    ]


def pin_some(book: list, consultants: list) -> list:
    """Return the book with one customer in 200 pinned, to a consultant of her branch when it has one."""
    import dataclasses

    rng = random.Random(SEED + 1)
    everyone = [consultant.id for consultant in consultants]
    by_branch: dict[int, list[int]] = {}
    for consultant in consultants:
        by_branch.setdefault(consultant.branch_id, []).append(consultant.id)
    pinned = []
    for customer in book:
        if rng.random() < PINNED_SHARE:
            customer = dataclasses.replace(customer, pinned=rng.choice(by_branch.get(customer.branch_id, everyone)))
        pinned.append(customer)
    return pinned


def plan_problems(name: str, result, book: list, consultants: list) -> list[str]:
    """Return what is wrong with a plan: a customer missing, loads miscounted, too many customers, a pin moved."""
    capacity = {consultant.id: consultant.capacity for consultant in consultants}
    pins = Counter(customer.pinned for customer in book if customer.pinned in capacity)
    problems = []
    if set(result.placements) != {customer.id for customer in book}:
        problems.append(f"{name}: the plan does not place exactly the customers of the book")
    counted = Counter(placement.consultant for placement in result.placements.values())
    if any(load.count != counted[consultant_id] for consultant_id, load in result.loads.items()):
        problems.append(f"{name}: the loads do not add up to the placements")
    # A consultant's pins alone may take her over her capacity: she keeps them and gets nobody else.
    over = [
        consultant_id
        for consultant_id, load in result.loads.items()
        if load.count > max(capacity[consultant_id], pins[consultant_id])
    ]
    if over:
        problems.append(f"{name}: {len(over)} consultants over capacity, e.g. {over[:5]}")
    moved = [
        customer.id
        for customer in book
        if customer.pinned in capacity and result.placements[customer.id].consultant != customer.pinned
    ]
    if moved:
        problems.append(f"{name}: {len(moved)} pinned customers not with their consultant, e.g. {moved[:5]}")
    return problems


def coefficient_of_variation(values: list[float]) -> float:
    mean = statistics.fmean(values) if values else 0.0
    return statistics.pstdev(values) / mean if mean else 0.0


def plan_summary(result, book: list) -> dict[str, float]:
    """Return the compared figures of a plan."""
    figures = result.figures
    unassigned = dict(figures.unassigned_by_reason)
    placed_with_distance = sum(placement.distance_km is not None for placement in result.placements.values())
    return {
        "total_distance_km": figures.total_distance_km,
        "mean_distance_km": figures.total_distance_km / placed_with_distance if placed_with_distance else 0.0,
        "load_cv": figures.load_cv,
        "premium_cv": figures.premium_cv,
        "premium_capacity_cv": coefficient_of_variation(
            [load.premium / load.capacity for load in result.loads.values() if load.capacity > 0]
        ),
        "unassigned": sum(unassigned.values()),
        **unassigned,
        "unassigned_known": sum(
            result.placements[customer.id].consultant is None for customer in book if customer.sigungu is not None
        ),
        "assigned": figures.assigned,
    }


def churn(make_plan, first, book: list, consultants: list) -> tuple[dict[str, int], list[str]]:
    """Let the busiest consultant of `first` leave and plan again from its placements; count who changed hands.

    The busiest has the most customers (ties: the lowest id).
    """
    import dataclasses

    busiest = max(first.loads, key=lambda consultant_id: (first.loads[consultant_id].count, -consultant_id))
    staying = [consultant for consultant in consultants if consultant.id != busiest]
    again = [dataclasses.replace(customer, current=first.placements[customer.id].consultant) for customer in book]
    second = make_plan(again, staying)
    changed = [
        customer_id
        for customer_id, placement in first.placements.items()
        if second.placements[customer_id].consultant != placement.consultant
    ]
    hers = first.loads[busiest].count
    return (
        {"busiest": busiest, "hers": hers, "changed": len(changed), "changed_others": len(changed) - hers},
        plan_problems("after the busiest left", second, again, staying),
    )


def measure_engine_inside(args: argparse.Namespace) -> int:
    """Plan a generated book with the engine and the baseline; print the results as JSON on the last line of stdout.

    Runs in a process of its own, started by `measure_engine`, so that its peak memory is this size's alone.
    """
    project_on_path()
    from assignments import engine
    from assignments.geography import distance_km

    started = time.perf_counter()
    branches = serving_branches()
    rows = contract_rows(args.contracts) if args.contracts else customer_rows(args.customers)
    book, contracts = engine_book(rows, branches)
    consultants = engine_consultants(book, args.consultants, branches)
    book = pin_some(book, consultants)
    generated = time.perf_counter() - started
    note(f"Generated {len(book):,} customers ({contracts:,} contracts) in {generated:.1f} s; planning")
    before_plan = rss_mb()

    started = time.perf_counter()
    ours = engine.plan(book, consultants, distance_km=distance_km)
    plan_seconds = time.perf_counter() - started
    peak_after_plan = peak_rss_mb()
    note(f"Planned in {plan_seconds:.1f} s; the baseline")

    started = time.perf_counter()
    baseline = engine.greedy_baseline(book, consultants, distance_km=distance_km)
    baseline_seconds = time.perf_counter() - started
    problems = plan_problems("engine", ours, book, consultants) + plan_problems("baseline", baseline, book, consultants)

    note("The busiest consultant leaves: planning again with the engine and the baseline")
    ours_churn, ours_problems = churn(
        lambda customers, team: engine.plan(customers, team, distance_km=distance_km), ours, book, consultants
    )
    baseline_churn, baseline_problems = churn(
        lambda customers, team: engine.greedy_baseline(customers, team, distance_km=distance_km),
        baseline,
        book,
        consultants,
    )
    problems += [f"engine {problem}" for problem in ours_problems]
    problems += [f"baseline {problem}" for problem in baseline_problems]
    results = {
        "customers": len(book),
        "contracts": contracts,
        "consultants": len(consultants),
        "capacity": sum(consultant.capacity for consultant in consultants),
        "pinned": sum(customer.pinned is not None for customer in book),
        "no_district": sum(customer.sigungu is None for customer in book),
        "generated_seconds": generated,
        "plan_seconds": plan_seconds,
        "solver_seconds": ours.figures.solver_seconds,
        "baseline_seconds": baseline_seconds,
        "rss_before_plan_mb": before_plan,
        "peak_after_plan_mb": peak_after_plan,
        "peak_mb": peak_rss_mb(),
        "ours": {**plan_summary(ours, book), **ours_churn},
        "baseline": {**plan_summary(baseline, book), **baseline_churn},
        "problems": problems,
    }
    print(json.dumps(results))
    return 0


def measure_engine(*, customers: int | None = None, contracts: int | None = None, consultants: int) -> dict:
    """Run this script again to plan one size in a process of its own; return what it printed."""
    size = f"--contracts={contracts}" if contracts else f"--customers={customers}"
    command = [project_python(), str(Path(__file__).resolve()), "--inside=engine", size, f"--consultants={consultants}"]
    # Its progress and any traceback go straight to our stderr; stdout carries the results.
    completed = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if completed.returncode:
        raise BenchError(f"planning the generated book failed with exit status {completed.returncode}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# The functions down to `measure_plan_inside` run only in the measuring process of the
# installation, after django.setup(); they import Django and the project where they need
# them because the process that builds the installation never sets Django up.


def django_setup() -> None:
    project_on_path()
    import django

    django.setup()


def refuse_foreign_book() -> None:
    """Refuse to run on a database holding a book that neither the demo nor this benchmark imported."""
    from assignments.models import BookImport
    from cms.demo.loader import DEMO_BOOK_FILE

    foreign = BookImport.objects.exclude(file_name=DEMO_BOOK_FILE).exclude(file_name__startswith=BOOK_FILE_PREFIX)
    if foreign.exists():
        raise BenchError(
            f"the database holds {foreign.count()} book imports that are not the demo's nor this benchmark's; "
            "each size starts from an empty book, so the benchmark would delete them"
        )


def remove_book() -> None:
    """Delete the book, its imports and the assignment runs, so that the size starts from an empty book."""
    from django.db import transaction

    from assignments.models import Assignment, AssignmentRun, BookImport, BookImportRow, Contract, Customer

    with transaction.atomic():
        Assignment.objects.all().delete()
        AssignmentRun.objects.all().delete()
        Contract.objects.all().delete()
        Customer.objects.all().delete()
        BookImportRow.objects.all().delete()
        BookImport.objects.all().delete()


def bench_members():
    """Return the benchmark's pool members."""
    from assignments.models import PoolMember

    return PoolMember.objects.filter(enrollment__applicant__email__endswith=f"@{EMAIL_DOMAIN}")


def remove_members() -> None:
    """Delete the consultants (pool members, enrollments, cohorts, applicants) of an earlier run."""
    from django.db import transaction

    from curriculum.models import Cohort, Enrollment
    from recruiting.models import Applicant

    marked = Applicant.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
    with transaction.atomic():
        cohorts = list(Cohort.objects.filter(enrollments__applicant__in=marked).distinct().values_list("pk", flat=True))
        # Pool places protect enrollments, enrollments protect cohorts and applicants.
        bench_members().delete()
        Enrollment.objects.filter(cohort__in=cohorts).delete()
        Cohort.objects.filter(pk__in=cohorts).delete()
        _, removed = marked.delete()
    if removed:
        note(f"Removed the {removed.get('recruiting.Applicant', 0):,} consultants of an earlier run")


def home_districts(count: int) -> list:
    """Return `count` recruiting districts drawn from where the customers of a generated book live.

    Only districts a branch serves count: consultants are recruited in Seoul and Gyeonggi.
    """
    from assignments.geography import SIGUNGU, sigungu_from_address
    from recruiting.models import District

    served = {
        (district.province, district.name): district
        for district in District.objects.exclude(branch=None).select_related("branch")
    }
    provinces = {"서울특별시": "seoul", "경기도": "gyeonggi"}
    homes = []
    for row in customer_rows(HOME_SAMPLE):
        code = sigungu_from_address(row[3])
        if code is not None:
            unit = SIGUNGU[code]
            district = served.get((provinces.get(unit.sido), unit.name.split()[0]))
            if district is not None:
                homes.append(district)
    rng = random.Random(SEED)
    return [rng.choice(homes) for _ in range(count)]


def members_create(count: int) -> None:
    """Bulk-insert `count` active pool members, each registered with the association, and what they need.

    Each lives in a district drawn from where customers live and works at the branch serving
    it; one cohort per branch graduated them four months ago. The enrollments' status
    (graduated) and registration are set by the bulk insert, skipping the graduation gate
    and its history: the benchmark measures the assignments, not how people got there.
    """
    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone

    from assignments.models import PoolMember
    from curriculum.defaults import DEFAULT_CURRICULUM_NAME
    from curriculum.models import Cohort, CohortStatus, Curriculum, Enrollment, EnrollmentStatus
    from recruiting.models import Applicant, ApplicantStatus, RecruitmentRound, Source

    round_ = RecruitmentRound.objects.order_by("pk").first()
    curriculum = Curriculum.objects.get(name=DEFAULT_CURRICULUM_NAME)
    if round_ is None:
        raise BenchError("the demo round is missing")
    districts = home_districts(count)
    now = timezone.now()
    released_at = now - timedelta(days=DAYS_IN_POOL)
    graduated_at = released_at - timedelta(days=7)
    ends_on = timezone.localdate(graduated_at)
    number = max(FIRST_COHORT_NUMBER, (Cohort.objects.aggregate(Max("number"))["number__max"] or 0) + 1)
    rng = random.Random(SEED)
    with transaction.atomic():
        cohorts = {}
        for branch in sorted({district.branch for district in districts}, key=lambda branch: branch.pk):
            cohorts[branch.pk] = Cohort.objects.create(
                number=number + len(cohorts),
                branch=branch,
                curriculum=curriculum,
                round=round_,
                starts_on=ends_on - timedelta(weeks=13),
                capacity=sum(district.branch_id == branch.pk for district in districts) + 10,
                status=CohortStatus.COMPLETED,
            )
        applicants = Applicant.objects.bulk_create(
            [
                Applicant(
                    round=round_,
                    name=f"컨설턴트{serial + 1:04d}",
                    mobile=f"010{FIRST_MOBILE + serial:08d}",
                    email=f"consultant-{serial}@{EMAIL_DOMAIN}",
                    birth_year=1965 + rng.randrange(35),
                    district=district,
                    preferred_branch=district.branch,
                    source=Source.REFERRAL,
                    status=ApplicantStatus.ENROLLED,
                )
                for serial, district in enumerate(districts)
            ]
        )
        enrollments = Enrollment.objects.bulk_create(
            [
                Enrollment(
                    cohort=cohorts[applicant.district.branch_id],
                    applicant=applicant,
                    status=EnrollmentStatus.GRADUATED,
                    graduated_at=graduated_at,
                    exam_date=ends_on - timedelta(days=20),
                    exam_score=85,
                    exam_passed=True,
                    registration_hours=Decimal(20),
                    registered_on=ends_on + timedelta(days=10),
                    registration_number=f"{ends_on.year}-B{serial + 1:05d}",
                )
                for serial, applicant in enumerate(applicants)
            ]
        )
        PoolMember.objects.bulk_create(
            [
                PoolMember(
                    enrollment=enrollment,
                    branch_id=enrollment.applicant.district.branch_id,
                    capacity=30,
                    released_at=released_at,
                )
                for enrollment in enrollments
            ]
        )
    note(f"Created {count:,} registered consultants in cohorts {number}-{number + len(cohorts) - 1}")


def members_ensure(count: int) -> None:
    """Keep the consultants of an earlier run when there are `count` of them, all assignable; else create them anew."""
    from assignments.models import PoolMember

    members = bench_members()
    if members.count() == count == PoolMember.objects.assignable().filter(pk__in=members.values("pk")).count():
        return
    remove_members()
    members_create(count)


def write_book(path: Path, rows: int) -> None:
    """Write the first `rows` contracts of a generated book to a CSV file, as the core system exports it."""
    import csv

    from assignments.book_generator import HEADINGS

    with path.open("w", newline="", encoding="utf-8") as output:
        writer = csv.writer(output)
        writer.writerow(HEADINGS)
        writer.writerows(contract_rows(rows))


def remove_queued(after: int, functions: tuple) -> None:
    """Delete the tasks this process queued for `functions` (those above id `after`).

    No worker runs: the benchmark calls the services itself, and the tasks are signed with
    the run's throwaway SECRET_KEY, so no later worker could read them.
    """
    from django_q.models import OrmQ

    queued = [task.pk for task in OrmQ.objects.filter(pk__gt=after) if task.func() in functions]
    OrmQ.objects.filter(pk__in=queued).delete()


def last_queued() -> int:
    """Return the id of the last task in the broker's queue (0 when it is empty)."""
    from django.db.models import Max
    from django_q.models import OrmQ

    return OrmQ.objects.aggregate(Max("pk"))["pk__max"] or 0


def set_capacities_and_pins() -> dict[str, int]:
    """Give the benchmark's consultants capacities for the book now imported, and pin some customers.

    Capacities add up to about the headroom times the customers in the book, so both sizes
    are planned alike.
    """
    from assignments.models import Customer, PoolMember

    members = list(bench_members().order_by("pk"))
    customers = list(Customer.objects.in_book().exclude(sigungu="").order_by("pk").only("pk", "branch_id"))
    rng = random.Random(SEED)
    for member, capacity in zip(
        members, capacities(len(members), Customer.objects.in_book().count(), rng), strict=True
    ):
        member.capacity = capacity
    PoolMember.objects.bulk_update(members, ["capacity"], batch_size=1000)
    by_branch: dict[int, list[int]] = {}
    for member in members:
        by_branch.setdefault(member.branch_id, []).append(member.pk)
    everyone = [member.pk for member in members]
    pinned = [customer for customer in customers if rng.random() < PINNED_SHARE]
    for customer in pinned:
        customer.pinned_to_id = rng.choice(by_branch.get(customer.branch_id, everyone))
    Customer.objects.bulk_update(pinned, ["pinned_to"], batch_size=1000)
    return {"capacity": sum(member.capacity for member in members), "pinned": len(pinned)}


def measure_reset_inside(args: argparse.Namespace) -> int:
    """Empty the book and make sure of the consultants; print their number as JSON.

    Runs in the installation's environment, started by `measure`, before each size's
    import: deleting the book before loads its rows, which would count in the import's
    peak memory.
    """
    django_setup()
    refuse_foreign_book()
    remove_book()
    members_ensure(args.consultants)
    print(json.dumps({"consultants": bench_members().count()}))
    return 0


def measure_import_inside(args: argparse.Namespace) -> int:
    """Import a generated book into the empty book; print the results as JSON.

    Runs in the installation's environment, started by `measure`, one process per size.
    """
    django_setup()
    from django.contrib.auth import get_user_model
    from django.core.files import File

    from assignments.models import BookImportStatus, Customer
    from assignments.services import book_import_run, book_import_start

    hr = get_user_model().objects.get(username=STAFF_LOGIN)
    with tempfile.TemporaryDirectory(prefix="csrc-bench-book-") as folder:
        path = Path(folder) / f"{BOOK_FILE_PREFIX}{args.book_rows}.csv"
        write_book(path, args.book_rows)
        note(f"Importing {args.book_rows:,} contracts ({path.stat().st_size / 1024 / 1024:.1f} MB of CSV)")
        queued = last_queued()
        started = time.perf_counter()
        # Streamed from the disk in chunks, as the import_book command does.
        with path.open("rb") as source:
            book_import, created = book_import_start(upload=File(source, name=path.name), actor=hr)
        book_import = book_import_run(import_id=book_import.pk)
        seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    remove_queued(queued, (book_import_run,))
    if not created or book_import.status != BookImportStatus.DONE:
        raise BenchError(f"the import of {path.name} ended {book_import.status}: {book_import.failure}")
    if book_import.rows_total != args.book_rows:
        raise BenchError(f"the import counted {book_import.rows_total:,} rows of {args.book_rows:,}")
    results = {
        "rows": book_import.rows_total,
        "refused": book_import.rows_refused,
        "customers": Customer.objects.in_book().count(),
        "no_district": Customer.objects.in_book().filter(sigungu="").count(),
        "import_seconds": seconds,
        "import_peak_mb": peak,
        **set_capacities_and_pins(),
    }
    print(json.dumps(results))
    return 0


@contextlib.contextmanager
def counted_queries() -> Iterator[dict]:
    """Count and time the SQL statements of the block; fill the yielded dict when it ends.

    It holds the number of statements, how many of them insert the plan's assignments (in
    batches), their total time and the slowest statement with its time.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):
        # The captured queries carry their time in whole milliseconds; many of ours take less.
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((time.perf_counter() - started, sql))

    summary: dict = {}
    # The captured queries also hold Django's BEGIN and COMMIT, which no wrapper sees.
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timed):
        yield summary
    queries = captured.captured_queries
    slowest, sql = max(timings, key=lambda timing: timing[0])
    summary.update(
        queries=len(queries),
        sql_seconds=sum(duration for duration, _sql in timings),
        slowest_seconds=slowest,
        slowest_sql=statement(sql),
    )


def statement(sql: str) -> str:
    """Return an SQL statement on one line, its lists of columns and of values cut short."""
    text = SELECT_LIST.sub("SELECT … FROM ", " ".join(sql.split()), count=1)
    return text if len(text) <= STATEMENT_CHARS else text[:STATEMENT_CHARS] + " …"


def applied_problems(run) -> list[str]:
    """Return what is wrong with an applied run: a customer not given her planned consultant, too many
    customers for a consultant, a pinned customer moved."""
    from assignments.models import Assignment, Customer, PoolMember

    planned = dict(Assignment.objects.filter(run=run).values_list("customer_id", "to_consultant_id"))
    book = list(Customer.objects.in_book().values_list("pk", "consultant_id", "pinned_to_id"))
    problems = []
    if set(planned) != {pk for pk, _consultant, _pin in book}:
        problems.append("the plan does not hold exactly the customers of the book")
    differing = [pk for pk, consultant, _pin in book if pk in planned and planned[pk] != consultant]
    if differing:
        problems.append(f"{len(differing):,} customers do not have the consultant the plan gave them")
    eligible = set(PoolMember.objects.assignable().values_list("pk", flat=True))
    # The capacity the plan used for each consultant it gave customers to: the ramp-up applied.
    capacity = dict(
        Assignment.objects.filter(run=run, to_consultant__isnull=False).values_list("to_consultant", "capacity")
    )
    pins = Counter(pin for _pk, _consultant, pin in book if pin in eligible)
    loads = Counter(consultant for _pk, consultant, _pin in book if consultant is not None)
    over = [pk for pk, load in loads.items() if load > max(capacity.get(pk, 0), pins[pk])]
    if over:
        problems.append(f"{len(over)} consultants over capacity, e.g. {over[:5]}")
    moved = [pk for pk, consultant, pin in book if pin in eligible and consultant != pin]
    if moved:
        problems.append(f"{len(moved)} pinned customers not with their consultant, e.g. {moved[:5]}")
    return problems


def measure_plan_inside(args: argparse.Namespace) -> int:
    """Plan the imported book, approve and apply the plan as HR, counting queries; print the results as JSON.

    Runs in the installation's environment, started by `measure`, one process per size.
    """
    django_setup()
    from django.contrib.auth import get_user_model

    from assignments.models import PoolMember, RunStatus
    from assignments.services import (
        assignment_run_apply,
        assignment_run_apply_request,
        assignment_run_approve,
        assignment_run_plan,
        assignment_run_start,
    )

    hr = get_user_model().objects.get(username=STAFF_LOGIN)
    queued = last_queued()
    run = assignment_run_start(actor=hr, branch=None)
    note("Planning")
    with counted_queries() as plan_queries:
        started = time.perf_counter()
        run = assignment_run_plan(run_id=run.pk)
        plan_seconds = time.perf_counter() - started
    plan_peak = peak_rss_mb()
    if run.status != RunStatus.PLANNED:
        raise BenchError(f"the plan ended {run.status}: {run.failure}")
    run = assignment_run_approve(run=run, actor=hr)
    assignment_run_apply_request(run=run, actor=hr)
    note("Applying")
    with counted_queries() as apply_queries:
        started = time.perf_counter()
        run = assignment_run_apply(run_id=run.pk, actor_id=hr.pk)
        apply_seconds = time.perf_counter() - started
    remove_queued(queued, (assignment_run_plan, assignment_run_apply))
    if run.status != RunStatus.APPLIED:
        raise BenchError(f"the plan was not applied ({run.status}): {run.failure}")
    results = {
        "plan_seconds": plan_seconds,
        "apply_seconds": apply_seconds,
        "plan": plan_queries,
        "apply": apply_queries,
        "consultants": PoolMember.objects.assignable().filter(capacity__gt=0).count(),
        "figures": run.figures,
        "peak_mb": peak_rss_mb(),
        "plan_peak_mb": plan_peak,
        "problems": applied_problems(run),
    }
    print(json.dumps(results))
    return 0


def measure(site: Installation, step: str, args: argparse.Namespace, book_rows: int) -> dict:
    """Run this script again in the installation's environment for `step`; return what it printed."""
    options = [f"--inside={step}", f"--book-rows={book_rows}", f"--consultants={args.consultants}"]
    return rerun_inside(site, __file__, options, failure=f"measuring the {step} of {book_rows:,} contracts failed")


def database_create(database_url: str) -> None:
    """Create the PostgreSQL database of `database_url` when it does not exist."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    note(f"Created the database {name}")


# Output


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def target(value: float, limit: float, unit: str = "s") -> str:
    return f"{'met' if value < limit else 'MISSED'} (< {limit:g} {unit})"


def better(ours: float, baseline: float) -> str:
    if math.isclose(ours, baseline, rel_tol=1e-9, abs_tol=1e-9):
        return "equal"
    return "engine" if ours < baseline else "baseline"


def print_engine(sizes: list[tuple[str, dict, float]]) -> None:
    """Print the time and memory of each size, then the engine against the baseline, figure by figure."""
    rows = [
        (
            "size",
            "customers",
            "contracts",
            "consultants",
            "capacity",
            "pinned",
            "book s",
            "plan s",
            "solver s",
            "plan target",
            "baseline s",
            "RSS before plan MB",
            "peak after plan MB",
            "peak MB",
        )
    ]
    for name, size, limit in sizes:
        rows.append(
            (
                name,
                f"{size['customers']:,}",
                f"{size['contracts']:,}",
                f"{size['consultants']:,}",
                f"{size['capacity']:,}",
                f"{size['pinned']:,}",
                f"{size['generated_seconds']:.1f}",
                f"{size['plan_seconds']:.2f}",
                f"{size['solver_seconds']:.2f}",
                target(size["plan_seconds"], limit),
                f"{size['baseline_seconds']:.2f}",
                "-" if size["rss_before_plan_mb"] is None else f"{size['rss_before_plan_mb']:,.0f}",
                f"{size['peak_after_plan_mb']:,.0f}",
                f"{size['peak_mb']:,.0f}",
            )
        )
    print(format_table(rows))
    for name, size, _limit in sizes:
        print()
        ours, baseline = size["ours"], size["baseline"]
        print(
            f"{name}: engine against the greedy baseline on the same book; the busiest consultant leaves: "
            f"the engine's ({ours['busiest']}) had {ours['hers']:,} customers, the baseline's "
            f"({baseline['busiest']}) {baseline['hers']:,}"
        )
        table = [("figure (lower is better)", "engine", "baseline", "better")]
        for label, key, shape in COMPARED:
            table.append(
                (label, shape.format(ours[key]), shape.format(baseline[key]), better(ours[key], baseline[key]))
            )
        print(format_table(table))
    print(
        "* The engine leaves a customer whose address names no district unassigned (region_unknown) for a "
        "person to decide; the baseline deals her blindly to a consultant of her branch, as the CRM tools do. "
        "Compare the unassigned with a known district."
    )


def print_database(database_url: str, imports: list[dict], plans: list[dict]) -> bool:
    """Print the import, plan and apply figures of both sizes; return whether the query counts are equal."""
    print(
        f"Book import, plan and apply on {engine_name(database_url)}: DEBUG off, as {STAFF_LOGIN}, "
        f"{plans[-1]['consultants']:,} eligible consultants (the benchmark's and the demo's registered ones); "
        "a process for each import and one for each plan and apply"
    )
    rows = [("contracts", "refused", "customers", "no district", "import s", "rows/s", "peak MB")]
    for book in imports:
        rows.append(
            (
                f"{book['rows']:,}",
                f"{book['refused']:,}",
                f"{book['customers']:,}",
                f"{book['no_district']:,}",
                f"{book['import_seconds']:.1f}",
                f"{book['rows'] / book['import_seconds']:,.0f}",
                f"{book['import_peak_mb']:,.0f}",
            )
        )
    print(format_table(rows))
    print()
    rows = [
        (
            "contracts",
            "capacity",
            "pinned",
            "plan s",
            "plan target",
            "queries",
            "SQL s",
            "apply s",
            "apply target",
            "queries",
            "SQL s",
            "changed",
            "peak MB",
        )
    ]
    for book, result in zip(imports, plans, strict=True):
        rows.append(
            (
                f"{book['rows']:,}",
                f"{book['capacity']:,}",
                f"{book['pinned']:,}",
                f"{result['plan_seconds']:.2f}",
                target(result["plan_seconds"], PLAN_TARGET_SECONDS),
                str(result["plan"]["queries"]),
                f"{result['plan']['sql_seconds']:.2f}",
                f"{result['apply_seconds']:.2f}",
                target(result["apply_seconds"], APPLY_TARGET_SECONDS),
                str(result["apply"]["queries"]),
                f"{result['apply']['sql_seconds']:.2f}",
                f"{result['figures'].get('applied_changes', 0):,}",
                f"{result['peak_mb']:,.0f}",
            )
        )
    print(format_table(rows))
    largest = plans[-1]
    for step in ("plan", "apply"):
        print(
            f"  the slowest statement of the {step} of {imports[-1]['rows']:,} contracts "
            f"({largest[step]['slowest_seconds']:.2f} s): {largest[step]['slowest_sql']}"
        )
    for book, result in zip(imports, plans, strict=True):
        figures = result["figures"]
        unassigned = ", ".join(f"{reason} {count:,}" for reason, count in figures["unassigned_by_reason"].items())
        print(
            f"  the plan of {book['rows']:,} contracts: {figures['assigned']:,} assigned; unassigned: {unassigned}; "
            f"{figures['total_distance_km']:,.0f} km in all, CV of load {figures['load_cv']}, of premium "
            f"{figures['premium_cv']}; the engine's solver {figures['solver_seconds']} s"
        )
    plan_counts = [result["plan"] for result in plans]
    apply_counts = [result["apply"]["queries"] for result in plans]
    plan_queries = [count["queries"] for count in plan_counts]
    plan_equal = plan_queries[0] == plan_queries[1]
    apply_equal = apply_counts[0] == apply_counts[1]
    sizes = f"{imports[0]['rows']:,} and {imports[1]['rows']:,} contracts"
    print(
        f"plan queries at {sizes}: {plan_queries[0]} and {plan_queries[1]}: "
        + ("equal" if plan_equal else "they GROW with the book")
    )
    print(
        f"apply queries at {sizes}: {apply_counts[0]} and {apply_counts[1]}: "
        + ("equal" if apply_equal else "they GROW with the book")
    )
    refused = [book["refused"] for book in imports]
    if any(refused):
        print(
            f"the import refused {refused[0]:,} and {refused[1]:,} rows of the generated books: "
            "not counted as a wrong answer of the benchmark (see bench/README.md)"
        )
    return plan_equal and apply_equal


def run(args: argparse.Namespace) -> int:
    """Measure the engine alone, then the services on the database; print the results and return the exit status."""
    started_load = load_average()
    sizes = []
    note(f"Engine: {args.customers:,} customers × {args.consultants:,} consultants")
    first = measure_engine(customers=args.customers, consultants=args.consultants)
    sizes.append((f"{args.customers:,} customers", first, ENGINE_TARGET_SECONDS))
    if not args.skip_large:
        note(f"Engine: {args.large_contracts:,} contracts × {args.large_consultants:,} consultants")
        large = measure_engine(contracts=args.large_contracts, consultants=args.large_consultants)
        sizes.append((f"{args.large_contracts:,} contracts", large, LARGE_ENGINE_TARGET_SECONDS))
    imports, plans = [], []
    if not args.engine_only:
        if args.database_url:
            database_create(args.database_url)
        with installation(args.database_url) as site:
            for book_rows in (args.small_book_rows, args.book_rows):
                note(f"Database: a book of {book_rows:,} contracts")
                measure(site, "reset", args, book_rows)
                imports.append(measure(site, "import", args, book_rows))
                plans.append(measure(site, "plan", args, book_rows))

    print(
        f"Assignments benchmark: {os.cpu_count()} CPUs; load average (1, 5, 15 min) {started_load} at the start, "
        f"{load_average()} at the end"
    )
    print()
    print("The engine alone, no database, one process for each size (the plan's peak memory is the process's)")
    print_engine(sizes)
    problems = [problem for _name, size, _limit in sizes for problem in size["problems"]]
    if len(sizes) > 1:
        large = sizes[-1][1]
        print(
            f"memory at {sizes[-1][0]}: peak after the plan {large['peak_after_plan_mb']:,.0f} MB, "
            f"{target(large['peak_after_plan_mb'], LARGE_MEMORY_TARGET_MB, 'MB')}"
        )
    if plans:
        print()
        if not print_database(args.database_url, imports, plans):
            problems.append("the plan's or the apply's queries grow with the book")
        problems += [problem for result in plans for problem in result["problems"]]
    print()
    print(
        "wrong answers: "
        + ("; ".join(problems) if problems else "none (capacities kept, pins kept, plans applied as made)")
    )
    return 1 if problems else 0


def main() -> int:
    """Parse the options, run the benchmark and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--customers", type=positive_int, default=100_000, help="customers of the first engine book (default 100000)"
    )
    parser.add_argument(
        "--consultants",
        type=positive_int,
        default=600,
        help="consultants of the first engine book and of the database (default 600)",
    )
    parser.add_argument(
        "--large-contracts",
        type=positive_int,
        default=1_000_000,
        help="contracts of the large engine book (default 1000000)",
    )
    parser.add_argument(
        "--large-consultants",
        type=positive_int,
        default=2000,
        help="consultants of the large engine book (default 2000)",
    )
    parser.add_argument("--skip-large", action="store_true", help="leave out the large engine book, for a quick run")
    parser.add_argument("--engine-only", action="store_true", help="measure the engine alone, without a database")
    parser.add_argument(
        "--book-rows",
        type=positive_int,
        default=100_000,
        help="contracts of the book imported into the database (default 100000)",
    )
    parser.add_argument(
        "--small-book-rows",
        type=positive_int,
        default=10_000,
        help="contracts of the smaller book imported first, to compare query counts with (default 10000)",
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help=f"the PostgreSQL database, created when missing, migrated and seeded (default {DEFAULT_DATABASE_URL}); "
        "an empty value: a new SQLite database",
    )
    # The measuring halves: a size of the engine, or a step on the installation's database.
    parser.add_argument("--inside", choices=("engine", "reset", "import", "plan"), help=argparse.SUPPRESS)
    parser.add_argument("--contracts", type=positive_int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.inside and args.book_rows <= args.small_book_rows:
        parser.error("--book-rows must be above --small-book-rows")
    if args.inside == "engine":
        return run_guarded(lambda: measure_engine_inside(args))
    if args.inside == "reset":
        return run_guarded(lambda: measure_reset_inside(args))
    if args.inside == "import":
        return run_guarded(lambda: measure_import_inside(args))
    if args.inside == "plan":
        return run_guarded(lambda: measure_plan_inside(args))
    return run_guarded(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
