"""Measure the consultant's list of her customers, /my/customers/, with 600 and with 100,000 customers in her branch.

Builds a throwaway installation (demo content, collected static files) in a temporary
folder. The consultant is the demo's (the first graduate of the graduated cohort, who
has a login and customers); her book is topped up to 60 customers with bulk inserts,
and her branch's book to 600 customers, the others given to consultants of the
benchmark's, 60 each. It requests the first page of her list and saves a contact (the
form of her customer's page, a POST) as her, then grows her branch's book to 100,000
customers, hers unchanged, and does the same again. Each request gets warm-up
requests, one request whose SQL queries are counted and checked, and the timed ones.
Requests go through Django's test client inside one process in production mode (DEBUG
off), so the figures are the view's own work without a web server or network. Progress
goes to stderr, the results table to stdout; the exit status is 1 when a request answers
wrongly or its number of queries changes with the size of the book.

    .venv/bin/python bench/workspace.py [--requests 30] [--warmup 3] [--book 60] [--small 600] [--large 100000]
        [--database-url postgres://postgres@127.0.0.1:5432/csrc_bench_workspace]
"""

import argparse
import hashlib
import io
import itertools
import json
import os
import random
import re
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

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

LIST_PATH = "/my/customers/"
# Marks the benchmark's rows, so that a reused database can be cleaned without touching anyone
# else's: its customers' and contracts' numbers, its book import, its plans, and its consultants'
# email addresses (.invalid can never be delivered to).
NUMBER_PREFIX = "WSB"
BOOK_FILE_NAME = "workspace-bench.csv"
RUN_MARK = {"benchmark": "workspace"}
EMAIL_DOMAIN = "workspace-bench.invalid"
FIRST_MOBILE = 60_000_000  # 010-6000-0000 onwards: clear of the demo's and the other benchmarks' numbers
# Cohort numbers from here on are far above any real or demo cohort, and below the other benchmarks'.
FIRST_COHORT_NUMBER = 700
COHORT_SEATS = 200
BATCH_SIZE = 5000
SEED = 20261130
# The generated book holds a customer of another branch in about ten (it puts nine in ten near
# the branch): generate this many times the customers wanted, and keep those of the branch.
GENERATED_SHARE = 1.25
# The plan that gave each size's customers to their consultants was applied this long ago, so
# that some first contacts are overdue; contacts spread over the months before the measure.
APPLIED_DAYS_AGO = 30
CONTACT_DAYS = 120
CONTACTS_PER_CUSTOMER = (0, 1, 1, 2, 2, 3, 4)
# Released long ago enough that the ramp-up gives each consultant her whole capacity.
DAYS_IN_POOL = 120
SAVE_NOTE = "보장점검 방문"
# The bar, as for the staff applicant list: the median at the larger size at most this times the smaller's.
RATIO_TARGET = 1.5
# The test client asks for this host; the installation allows only 127.0.0.1.
TEST_HOST = "testserver"
# A statement's list of plain columns, before its FROM or its first subquery.
SELECT_LIST = re.compile(r'^SELECT (?:"\w+"\."\w+"(?: AS "\w+")?, )*"\w+"\."\w+"(?: AS "\w+")?(?= FROM |, \()')
CUSTOMER_LINK = re.compile(rf'href="{re.escape(LIST_PATH)}(\d+)/"')


# The functions down to `measure_inside` run only in the measuring process, after
# django.setup(); they import Django and the project where they need them because the
# process that builds the installation never sets Django up.


def bench_customers():
    from assignments.models import Customer

    return Customer.objects.filter(number__startswith=NUMBER_PREFIX)


def bench_members():
    from assignments.models import PoolMember

    return PoolMember.objects.filter(enrollment__applicant__email__endswith=f"@{EMAIL_DOMAIN}")


def remove_earlier_run() -> None:
    """Delete the customers, plans, book import and consultants of an earlier run, in the order their keys allow."""
    from django.db import transaction

    from assignments.models import AssignmentRun, BookImport
    from curriculum.models import Cohort, Enrollment
    from recruiting.models import Applicant

    marked = Applicant.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
    with transaction.atomic():
        # Her contacts, the contracts and the plans' rows of the benchmark's customers go with them.
        _, customers = bench_customers().delete()
        AssignmentRun.objects.filter(parameters__benchmark=RUN_MARK["benchmark"]).delete()
        BookImport.objects.filter(file_name=BOOK_FILE_NAME).delete()
        cohorts = list(Cohort.objects.filter(enrollments__applicant__in=marked).distinct().values_list("pk", flat=True))
        bench_members().delete()
        Enrollment.objects.filter(cohort__in=cohorts).delete()
        Cohort.objects.filter(pk__in=cohorts).delete()
        _, members = marked.delete()
    if customers.get("assignments.Customer") or members.get("recruiting.Applicant"):
        note(
            f"Removed the {customers.get('assignments.Customer', 0):,} customers and "
            f"{members.get('recruiting.Applicant', 0):,} consultants of an earlier run"
        )


def branch_codes(branch) -> set[str]:
    """Return the 시군구 codes the branch serves, as the book import reads them (a Gyeonggi 구 by its city)."""
    from assignments.geography import SIGUNGU
    from assignments.services.book import PROVINCES_BY_SIDO
    from recruiting.models import District

    served = set(District.objects.filter(branch=branch).values_list("province", "name"))
    return {
        code for code, unit in SIGUNGU.items() if (PROVINCES_BY_SIDO.get(unit.sido), unit.name.split()[0]) in served
    }


def branch_book(branch, wanted: int):
    """Yield the customers of a generated book who live where the branch serves, as (number, rows).

    The book is generated mostly around the branch and checked by the import's own reader
    (`assignments.book_import.book_rows`): its district, normalised mobile, product line.
    """
    from assignments.book_generator import book_csv
    from assignments.book_import import RowError, book_rows
    from assignments.geography import sigungu_for_district
    from recruiting.models import District

    codes = branch_codes(branch)
    near = frozenset(
        code
        for province, name in District.objects.filter(branch=branch).values_list("province", "name")
        if (code := sigungu_for_district(province, name))
    )
    generated = int(wanted * GENERATED_SHARE) + 1000
    note(f"Generating a book of {generated:,} customers around {branch.name}")
    checked = book_rows(io.BytesIO(book_csv(generated, seed=SEED, near=near)), BOOK_FILE_NAME)
    rows = (row for row in checked if not isinstance(row, RowError))
    for number, grouped in itertools.groupby(rows, key=lambda row: row.customer_number):
        contracts = list(grouped)
        if contracts[0].sigungu in codes:
            yield number, contracts


class Book:
    """The benchmark's part of her branch's book: customers in the order they are made, and who takes each.

    Serial n is her customer while n is under `hers`; after that, consultant (n - hers) //
    `per_consultant` of the benchmark's takes her, in the order they were made.
    """

    def __init__(self, member, branch, *, hers: int, per_consultant: int, wanted: int, anchor: datetime):
        from django.contrib.auth import get_user_model

        from assignments.models import BookImport, BookImportStatus
        from recruiting.models import District, RecruitmentRound

        self.member = member
        self.branch = branch
        self.hers = hers
        self.per_consultant = per_consultant
        self.anchor = anchor
        self.generated = branch_book(branch, wanted)
        self.round = RecruitmentRound.objects.order_by("pk").first()
        self.districts = list(District.objects.filter(branch=branch).order_by("pk"))
        if self.round is None or not self.districts:
            raise BenchError(f"the demo round or the districts of {branch.name} are missing")
        hr = get_user_model().objects.filter(username="hr").first()
        # The import that brought the benchmark's customers into the book: its rows are made
        # here in bulk, not read from a file, so it holds no file.
        self.book_import = BookImport.objects.create(
            file_name=BOOK_FILE_NAME,
            sha256=hashlib.sha256(f"{BOOK_FILE_NAME} {anchor.isoformat()}".encode()).hexdigest(),
            uploaded_by=hr,
            status=BookImportStatus.DONE,
            finished_at=anchor,
        )
        self.hr = hr
        self.consultants: list[int] = []

    def grow(self, first: int, last: int) -> None:
        """Insert the benchmark's customers from serial `first` up to `last`, with what goes with them.

        Each comes with her contracts, her place in a plan applied APPLIED_DAYS_AGO (one
        plan per size), and 0 to 4 contacts of her consultant over the last CONTACT_DAYS.
        """
        from django.db import transaction

        from assignments.models import AssignmentRun, AssignmentRunEvent, RunStatus

        if last <= first:
            return
        started = time.perf_counter()
        self.consultants_ensure(last)
        with transaction.atomic():
            run = AssignmentRun.objects.create(
                branch=self.branch, status=RunStatus.APPLIED, requested_by=self.hr, parameters=RUN_MARK
            )
            applied = AssignmentRunEvent.objects.create(
                run=run, from_status=RunStatus.APPROVED, to_status=RunStatus.APPLIED, actor=self.hr
            )
            # created_at is set to now on insert whatever the object says; bulk_update writes the
            # time of the plan without calling the field's pre_save.
            applied.created_at = self.anchor - timedelta(days=APPLIED_DAYS_AGO)
            AssignmentRunEvent.objects.bulk_update([applied], ["created_at"])
        for start in range(first, last, BATCH_SIZE):
            serials = range(start, min(start + BATCH_SIZE, last))
            with transaction.atomic():
                self.insert(serials, run)
            note(f"  {serials[-1] + 1:,} of the benchmark's customers")
        note(f"Created {last - first:,} customers in {time.perf_counter() - started:.1f} s")

    def consultant_of(self, serial: int) -> int:
        if serial < self.hers:
            return self.member.pk
        return self.consultants[(serial - self.hers) // self.per_consultant]

    def insert(self, serials: range, run) -> None:
        from assignments.models import (
            Assignment,
            Contact,
            ContactKind,
            ContactOutcome,
            Contract,
            Customer,
            PlacementReason,
            ProductLine,
        )

        # Ties of premium go to the line listed first in ProductLine, as the import breaks them.
        line_order = {line: index for index, line in enumerate(ProductLine)}
        customers, contracts, contacts = [], [], []
        for serial, (_generated_number, rows) in zip(serials, self.generated, strict=False):
            number = f"{NUMBER_PREFIX}{serial:08d}"
            premium_by_line = Counter()
            for row in rows:
                premium_by_line[row.product_line] += row.monthly_premium
            first = rows[0]
            customer = Customer(
                number=number,
                name=first.name,
                mobile=first.mobile,
                address=first.address,
                sigungu=first.sigungu,
                branch=self.branch,
                consultant_id=self.consultant_of(serial),
                main_line=max(premium_by_line, key=lambda line: (premium_by_line[line], -line_order[line])),
                premium=sum(premium_by_line.values()),
                orphaned_on=min(row.planner_left_on for row in rows),
                first_import=self.book_import,
                last_import=self.book_import,
            )
            customers.append(customer)
            contracts += [
                Contract(
                    customer=customer,
                    number=f"{number}-{index + 1}",
                    product_line=row.product_line,
                    monthly_premium=row.monthly_premium,
                    renews_on=row.renews_on,
                    planner_code=row.planner_code,
                    planner_left_on=row.planner_left_on,
                )
                for index, row in enumerate(rows)
            ]
            # One generator per serial keeps a customer's contacts the same whichever size made her.
            rng = random.Random(SEED + serial)
            for _ in range(rng.choice(CONTACTS_PER_CUSTOMER)):
                at = self.anchor - timedelta(days=rng.uniform(0, CONTACT_DAYS))
                reached = rng.random() < 0.6
                promised = rng.random() < 0.25
                contact = Contact(
                    customer=customer,
                    consultant_id=customer.consultant_id,
                    kind=rng.choice(ContactKind.values),
                    reached=reached,
                    outcome=rng.choice(ContactOutcome.values) if reached and rng.random() < 0.3 else "",
                    next_step="다음 통화" if promised else "",
                    next_step_on=(at + timedelta(days=rng.randint(7, 40))).date() if promised else None,
                )
                contact.created_at = at
                contacts.append(contact)
        if len(customers) != len(serials):
            raise BenchError(f"the generated book ran out at {serials[0] + len(customers):,} customers")
        Customer.objects.bulk_create(customers, batch_size=BATCH_SIZE)
        Contract.objects.bulk_create(contracts, batch_size=BATCH_SIZE)
        Assignment.objects.bulk_create(
            [
                Assignment(
                    run=run,
                    customer=customer,
                    to_consultant_id=customer.consultant_id,
                    placement=PlacementReason.ASSIGNED,
                    same_branch=True,
                    capacity=self.per_consultant,
                )
                for customer in customers
            ],
            batch_size=BATCH_SIZE,
        )
        times = [contact.created_at for contact in contacts]
        Contact.objects.bulk_create(contacts, batch_size=BATCH_SIZE)
        # As for the plan's event: created_at is now after the insert; bulk_update writes the spread-out times.
        for contact, at in zip(contacts, times, strict=True):
            contact.created_at = at
        Contact.objects.bulk_update(contacts, ["created_at"], batch_size=1000)

    def consultants_ensure(self, last: int) -> None:
        """Make the benchmark's consultants the customers up to serial `last` need, in cohorts of COHORT_SEATS.

        Each is a graduate of the branch, registered and active in its pool; the enrollments'
        status and registration are set by the bulk insert, skipping the graduation gate and
        its history: the benchmark measures her list, not how her colleagues got there.
        """
        from django.db import transaction
        from django.db.models import Max

        from assignments.models import PoolMember
        from curriculum.defaults import DEFAULT_CURRICULUM_NAME
        from curriculum.models import Cohort, CohortStatus, Curriculum, Enrollment, EnrollmentStatus
        from recruiting.models import Applicant, ApplicantStatus, Source

        needed = -(-max(0, last - self.hers) // self.per_consultant)
        missing = needed - len(self.consultants)
        if missing <= 0:
            return
        curriculum = Curriculum.objects.get(name=DEFAULT_CURRICULUM_NAME)
        released_at = self.anchor - timedelta(days=DAYS_IN_POOL)
        graduated_at = released_at - timedelta(days=7)
        ends_on = graduated_at.date()
        number = max(FIRST_COHORT_NUMBER, (Cohort.objects.aggregate(Max("number"))["number__max"] or 0) + 1)
        rng = random.Random(SEED + len(self.consultants))
        with transaction.atomic():
            for start in range(len(self.consultants), needed, COHORT_SEATS):
                serials = range(start, min(start + COHORT_SEATS, needed))
                cohort = Cohort.objects.create(
                    number=number,
                    branch=self.branch,
                    curriculum=curriculum,
                    round=self.round,
                    starts_on=ends_on - timedelta(weeks=13),
                    capacity=COHORT_SEATS,
                    status=CohortStatus.COMPLETED,
                )
                number += 1
                applicants = Applicant.objects.bulk_create(
                    [
                        Applicant(
                            round=self.round,
                            name=f"컨설턴트{serial + 1:04d}",
                            mobile=f"010{FIRST_MOBILE + serial:08d}",
                            email=f"consultant-{serial}@{EMAIL_DOMAIN}",
                            birth_year=1965 + rng.randrange(35),
                            district=self.districts[serial % len(self.districts)],
                            preferred_branch=self.branch,
                            source=Source.REFERRAL,
                            status=ApplicantStatus.ENROLLED,
                        )
                        for serial in serials
                    ]
                )
                enrollments = Enrollment.objects.bulk_create(
                    [
                        Enrollment(
                            cohort=cohort,
                            applicant=applicant,
                            status=EnrollmentStatus.GRADUATED,
                            graduated_at=graduated_at,
                            exam_date=ends_on - timedelta(days=20),
                            exam_score=85,
                            exam_passed=True,
                            registration_hours=Decimal(20),
                            registered_on=ends_on + timedelta(days=10),
                            registration_number=f"{ends_on.year}-W{serial + 1:05d}",
                        )
                        for serial, applicant in zip(serials, applicants, strict=True)
                    ]
                )
                members = PoolMember.objects.bulk_create(
                    [
                        PoolMember(
                            enrollment=enrollment,
                            branch=self.branch,
                            capacity=self.per_consultant,
                            released_at=released_at,
                        )
                        for enrollment in enrollments
                    ]
                )
                self.consultants += [member.pk for member in members]
        note(f"Created {missing:,} consultants of {self.branch.name}")


def refresh_statistics() -> None:
    """Give PostgreSQL's planner the statistics autovacuum would gather within a minute or so.

    SQLite gets nothing: nothing in the project runs ANALYZE on it.
    """
    from django.db import connection

    from assignments.models import Assignment, Contact, Contract, Customer, PoolMember

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Customer, Contract, Contact, Assignment, PoolMember):
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def counted(send) -> tuple[object, dict[str, object]]:
    """Send one request counting and timing its SQL queries; return the response and the figures."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):
        # The captured queries carry their time in whole milliseconds; most of ours take less.
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((time.perf_counter() - started, sql))

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timed):
        response = send()
    # The captured queries also hold the transactions' BEGIN and COMMIT, which no wrapper sees.
    duration, sql = max(timings, key=lambda timing: timing[0])
    return response, {
        "queries": len(captured.captured_queries),
        "sql_ms": sum(each for each, _sql in timings) * 1000,
        "slowest_ms": duration * 1000,
        "slowest_sql": sql,
    }


def measure_list(client, member, args: argparse.Namespace) -> dict:
    """Request the first page of her list; check it shows a page of her customers; time it."""
    from assignments.models import Customer
    from assignments.workspace.views import CUSTOMERS_PER_PAGE

    for _ in range(args.warmup):
        client.get(LIST_PATH)
    response, figures = counted(lambda: client.get(LIST_PATH))
    if response.status_code != 200:
        raise BenchError(f"{LIST_PATH} answered {response.status_code}")
    shown = {int(pk) for pk in CUSTOMER_LINK.findall(response.content.decode())}
    hers = Customer.objects.in_book().filter(consultant=member)
    wanted = min(hers.count(), CUSTOMERS_PER_PAGE)
    if len(shown) != wanted:
        raise BenchError(f"{LIST_PATH} shows {len(shown)} customers, expected {wanted}")
    if hers.filter(pk__in=shown).count() != len(shown):
        raise BenchError(f"{LIST_PATH} shows customers who are not hers")
    latencies = []
    for _ in range(args.requests):
        started = time.perf_counter()
        client.get(LIST_PATH)
        latencies.append(time.perf_counter() - started)
    return {**figures, "latencies": latencies}


def measure_save(client, member, customer, args: argparse.Namespace) -> dict:
    """Save contacts through the form of her customer's page; check each is recorded once; time them.

    Each note is new, so that no save is taken for a double tap of the one before. The
    contacts are deleted afterwards, so that her list is the same at both sizes.
    """
    from assignments.models import Contact

    path = f"{LIST_PATH}{customer.pk}/contacts/"
    page = f"{LIST_PATH}{customer.pk}/"
    before = Contact.objects.filter(customer=customer).order_by("-pk").values_list("pk", flat=True).first() or 0
    saves = itertools.count(1)

    def save():
        return client.post(path, {"kind": "visit", "reached": "yes", "note": f"{SAVE_NOTE} {next(saves)}"})

    for _ in range(args.warmup):
        save()
    response, figures = counted(save)
    if response.status_code != 302 or response["Location"] != page:
        raise BenchError(f"POST {path} answered {response.status_code}, not the redirect to {page}")
    latencies = []
    for _ in range(args.requests):
        started = time.perf_counter()
        save()
        latencies.append(time.perf_counter() - started)
    saved = Contact.objects.filter(customer=customer, consultant=member, pk__gt=before)
    expected = args.warmup + 1 + args.requests
    if saved.count() != expected:
        raise BenchError(f"{saved.count()} contacts were saved for {expected} posts")
    saved.delete()
    return {**figures, "latencies": latencies}


def measure_inside(args: argparse.Namespace) -> int:
    """Grow her branch's book and time her list and a contact save; print the results as JSON on the last line.

    Runs in the installation's environment, started by `measure`.
    """
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test import Client
    from django.utils import timezone

    from assignments.models import Customer
    from cms.demo.loader import demo_consultant

    remove_earlier_run()
    member = demo_consultant()
    if member is None or member.user is None:
        raise BenchError("the demo consultant or her login is missing")
    branch = member.branch
    in_branch = Customer.objects.in_book().filter(branch=branch)
    others = in_branch.count()
    hers_before = Customer.objects.in_book().filter(consultant=member).count()
    hers = max(0, args.book - hers_before)
    if others + hers >= args.small:
        raise BenchError(
            f"{branch.name} holds {others:,} customers and she needs {hers} more: not fewer than --small {args.small:,}"
        )
    anchor = timezone.now()
    book = Book(member, branch, hers=hers, per_consultant=args.book, wanted=args.large - others, anchor=anchor)
    client = Client()
    client.force_login(member.user)

    results: dict[str, object] = {
        "branch": branch.name,
        "others": others,
        "hers_before": hers_before,
        "sizes": [],
    }
    created = 0
    for size in (args.small, args.large):
        note(f"Growing {branch.name}'s book to {size:,} customers")
        book.grow(created, size - others)
        created = size - others
        refresh_statistics()
        # One of the benchmark's customers of hers when there are some (her demo book may already be full).
        hers_now = Customer.objects.in_book().filter(consultant=member)
        target = hers_now.filter(number__startswith=NUMBER_PREFIX).order_by("number").first() or hers_now.first()
        if target is None:
            raise BenchError("she has no customer to save a contact for")
        measured = {}
        note(f"{size:,} customers: her list")
        measured["her list, first page"] = measure_list(client, member, args)
        note(f"{size:,} customers: a contact save")
        measured["a contact save"] = measure_save(client, member, target, args)
        results["sizes"].append(
            {
                "customers": in_branch.count(),
                "hers": Customer.objects.in_book().filter(consultant=member).count(),
                "consultants": len(book.consultants) + 1,
                "views": measured,
            }
        )
    print(json.dumps(results))
    return 0


def measure(args: argparse.Namespace, site: Installation) -> dict:
    """Run this script again in the installation's environment to measure; return what it printed."""
    env = {**site.env, "ALLOWED_HOSTS": f"{site.env['ALLOWED_HOSTS']},{TEST_HOST}"}
    options = [
        "--inside",
        f"--requests={args.requests}",
        f"--warmup={args.warmup}",
        f"--book={args.book}",
        f"--small={args.small}",
        f"--large={args.large}",
    ]
    return rerun_inside(site, __file__, options, env=env)


def statement(sql: str) -> str:
    """Return an SQL statement on one line with its list of plain columns left out."""
    return SELECT_LIST.sub("SELECT …", " ".join(sql.split()), count=1)


def median_ratio(small: dict, large: dict) -> float:
    """Return the median of the larger size's latencies over the smaller's."""
    return float(percentile_ms(large["latencies"], 0.50)) / float(percentile_ms(small["latencies"], 0.50))


def table(results: dict) -> str:
    """Return one row per request and size, with the ratio of the medians on the larger size's row."""
    rows = [
        (
            "request",
            "customers in branch",
            "hers",
            "median ms",
            "p95 ms",
            "queries",
            "SQL ms",
            "slowest SQL ms",
            "median ratio",
        )
    ]
    small, large = results["sizes"]
    for name in small["views"]:
        for size in (small, large):
            view = size["views"][name]
            ratio = f"{median_ratio(small['views'][name], view):.2f}" if size is large else ""
            rows.append(
                (
                    name,
                    f"{size['customers']:,}",
                    str(size["hers"]),
                    percentile_ms(view["latencies"], 0.50),
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
        f"The consultant's list and a contact save on {engine_name(args.database_url)}: Django test client as the "
        f"demo consultant, DEBUG off, {args.requests} timed requests each after {args.warmup} warm-up, "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"  her branch {results['branch']} held {results['others']:,} customers before (on a new database, the "
        f"demo's), she {results['hers_before']}; the benchmark's consultants take {args.book} each "
        f"({small['consultants']:,} and {large['consultants']:,} consultants with her)"
    )
    print(f"  her list: GET {LIST_PATH}; a contact save: POST {LIST_PATH}<id>/contacts/ (a visit that met her)")
    print(table(results))
    differing = [name for name in small["views"] if small["views"][name]["queries"] != large["views"][name]["queries"]]
    print(
        f"query counts equal at {small['customers']:,} and {large['customers']:,} customers: "
        f"{'no, they differ for ' + ', '.join(differing) if differing else 'yes'}"
    )
    for name in small["views"]:
        ratio = median_ratio(small["views"][name], large["views"][name])
        print(
            f"  {name}: median ratio {ratio:.2f}, {'met' if ratio <= RATIO_TARGET else 'MISSED'} (≤ {RATIO_TARGET:g})"
        )
    print(f"slowest statement of each request at {large['customers']:,} customers:")
    for name, view in large["views"].items():
        print(f"  {name} ({view['slowest_ms']:.1f} ms): {statement(view['slowest_sql'])}")
    return 1 if differing else 0


def main() -> int:
    """Parse the options, run the benchmark and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=positive_int, default=30, help="timed requests of each (default 30)")
    parser.add_argument("--warmup", type=positive_int, default=3, help="warm-up requests of each (default 3)")
    parser.add_argument(
        "--book", type=positive_int, default=60, help="her customers, and each other consultant's (default 60)"
    )
    parser.add_argument(
        "--small", type=positive_int, default=600, help="customers in her branch at first (default 600)"
    )
    parser.add_argument(
        "--large", type=positive_int, default=100_000, help="customers in her branch after growing (default 100000)"
    )
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
