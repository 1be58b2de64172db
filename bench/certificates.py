"""Measure completion certificates: the bare PDF renderer, and a cohort's bulk issue on one worker.

Builds a throwaway installation (demo content, collected static files) in a temporary
folder. First it renders certificates built in memory with `CertificateRenderer`, no
database involved. Then it starts a real `manage.py qcluster` with one worker
(Q_WORKERS=1) in production mode (DEBUG off), creates a cohort of graduates with bulk
inserts, and issues their certificates as HR does: `certificate_batch_start` queues
`curriculum.certificates.services.certificate_batch_run` on commit through the django-q ORM broker, and
the benchmark polls the batch until the worker has finished it. A smaller batch runs
first to warm the worker up. It prints both rates, their ratio, the median and p95 time of
one render, the share of a render each drawing step takes under cProfile, and the sizes
of the PDFs; progress goes to stderr. The exit status is 1 when the batch does not finish
or leaves a graduate without a rendered and emailed certificate.

    .venv/bin/python bench/certificates.py [--renders 200] [--graduates 200] [--warmup 10]
        [--renderer-only] [--database-url postgres://postgres@127.0.0.1:5432/csrc_bench_certificates]
"""

import argparse
import contextlib
import cProfile
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from common import (
    ROOT,
    BenchError,
    Installation,
    engine_name,
    format_table,
    installation,
    note,
    percentile_ms,
    positive_float,
    positive_int,
    run_guarded,
    stop,
)

STAFF_LOGIN = "hr"
BRANCH = "강서"  # the demo's staff branch; its name is printed on the certificates
SURNAMES = ("김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권", "황")
GIVEN_NAMES = ("서연", "민지", "지훈", "수아", "하준", "예린", "민서", "도윤", "지우", "서준", "하은", "지민")
# Marks the benchmark's applicants, so that a reused database can be cleaned without
# touching anyone else's rows; .invalid can never be delivered to.
EMAIL_DOMAIN = "certificates-bench.invalid"
FIRST_MOBILE = 40_000_000  # 010-4000-0000 onwards: clear of the demo's and the other benchmarks' numbers
# Cohort numbers from here on are far above any real or demo cohort.
FIRST_COHORT_NUMBER = 900
BATCH_TASK = "curriculum.certificates.services.certificate_batch_run"
# How often the benchmark looks at the batch: the finish is seen at most this late.
POLL_SECONDS = 0.05
PROGRESS_SECONDS = 5.0
# How long the outer process waits for the measuring one before looking at the worker again.
WATCH_SECONDS = 0.5
LOG_TAIL_LINES = 30
# Renders profiled after the timed ones (fewer when fewer are timed): cProfile slows
# Python code down, so these give the shares of the drawing steps, not the rate.
PROFILED_RENDERS = 50


def full_name(serial: int) -> str:
    """Return a Korean name, different for neighbouring serials."""
    return SURNAMES[serial % len(SURNAMES)] + GIVEN_NAMES[serial // len(SURNAMES) % len(GIVEN_NAMES)]


def sizes_summary(sizes: list[int]) -> dict[str, float]:
    """Return the count, mean, smallest and largest of PDF sizes in bytes."""
    return {"count": len(sizes), "mean": statistics.fmean(sizes), "min": min(sizes), "max": max(sizes)}


def step_shares(renderer, items: list) -> dict[str, float]:
    """Render `items` under cProfile; return the share of the render time each `_draw_*` step took.

    The steps are the renderer's own methods, found by name; what is left of a render
    (the canvas, saving and compressing the PDF, embedding the fonts' subsets) is "rest".
    """
    profile = cProfile.Profile()
    profile.runcall(lambda: [renderer.render(item) for item in items])
    profile.create_stats()

    def cumulative(function) -> float:
        code = function.__code__
        # cProfile keys Python functions by their file, first line and name; the fourth value is the cumulative time.
        return profile.stats.get((code.co_filename, code.co_firstlineno, code.co_name), (0, 0, 0, 0.0))[3]

    total = cumulative(type(renderer).render)
    steps = {
        name.removeprefix("_draw_"): cumulative(getattr(type(renderer), name))
        for name in dir(type(renderer))
        if name.startswith("_draw_")
    }
    shares = {name: seconds / total for name, seconds in steps.items()}
    shares["rest"] = 1 - sum(shares.values())
    return shares


# The functions down to `measure_bulk_inside` run only in the measuring processes, after
# `django_setup`; they import Django and the project where they need them because the
# process that builds the installation never sets Django up.


def django_setup() -> None:
    """Set Django up in the installation's environment, which the outer process passed on."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def measure_renderer_inside(args: argparse.Namespace) -> int:
    """Time the bare renderer on certificates built in memory; print the results as JSON on stdout.

    Runs in the installation's environment, started by `measure`. Nothing here touches
    the database: the certificate data is filled the way `certificate_data` fills it,
    from field defaults and settings instead of rows.
    """
    django_setup()
    from django.conf import settings
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from curriculum.certificates.renderer import CertificateData, CertificateRenderer
    from curriculum.defaults import DEFAULT_CURRICULUM_NAME
    from curriculum.models import Certificate, CertificateSettings, Cohort, Curriculum, new_verification_code

    today = timezone.localdate()
    starts_on = today - timedelta(weeks=14)
    hours = Curriculum._meta.get_field("total_hours").get_default()
    issuer_name = CertificateSettings._meta.get_field("issuer_name").get_default()
    data = []
    for serial in range(args.warmup + args.renders):
        code = new_verification_code()
        data.append(
            CertificateData(
                number=Certificate(year=today.year, serial=serial + 1).number,
                holder_name=full_name(serial),
                program=DEFAULT_CURRICULUM_NAME,
                cohort_label=_("CS RC cohort %(number)s") % {"number": FIRST_COHORT_NUMBER},
                branch_name=BRANCH,
                starts_on=starts_on,
                ends_on=Cohort.training_end(starts_on),
                hours=hours,
                issued_on=today,
                issuer_name=issuer_name,
                verification_code=code,
                verify_url=settings.SITE_URL + reverse("certificates:verify", args=[code]),
                # A new installation has no seal uploaded, so the bulk run prints none either.
                seal_png=None,
            )
        )
    renderer = CertificateRenderer()
    # The warm-up registers the fonts and fills reportlab's caches, once per process as in the worker.
    note(f"Renderer: {args.warmup} warm-up renders")
    for item in data[: args.warmup]:
        renderer.render(item)
    note(f"Renderer: {args.renders} timed renders")
    sizes = []
    latencies = []
    started = time.perf_counter()
    for item in data[args.warmup :]:
        render_started = time.perf_counter()
        pdf = renderer.render(item)
        latencies.append(time.perf_counter() - render_started)
        sizes.append(len(pdf))
    seconds = time.perf_counter() - started
    profiled = data[args.warmup :][:PROFILED_RENDERS]
    note(f"Renderer: {len(profiled)} renders under cProfile")
    results = {
        "certificates": args.renders,
        "seconds": seconds,
        "latencies": latencies,
        "profiled": len(profiled),
        "shares": step_shares(renderer, profiled),
        "sizes": sizes_summary(sizes),
    }
    print(json.dumps(results))
    return 0


def remove_earlier_run() -> None:
    """Delete the cohorts, graduates and certificates an earlier run left in a reused database."""
    from django.db import transaction

    from assignments.models import PoolMember
    from curriculum.models import Certificate, Cohort, Enrollment
    from recruiting.models import Applicant

    marked = Applicant.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
    with transaction.atomic():
        cohorts = list(Cohort.objects.filter(enrollments__applicant__in=marked).distinct().values_list("pk", flat=True))
        if not cohorts:
            return
        # Certificates and pool places protect enrollments (the daily pool release takes in
        # graduates whose field work has begun, as the benchmark's have), enrollments protect
        # cohorts and applicants; the batches go with their cohort. The PDFs were in the
        # earlier run's folder, long gone.
        Certificate.objects.filter(enrollment__cohort__in=cohorts).delete()
        PoolMember.objects.filter(enrollment__cohort__in=cohorts).delete()
        Enrollment.objects.filter(cohort__in=cohorts).delete()
        Cohort.objects.filter(pk__in=cohorts).delete()
        _, removed = marked.delete()
    note(f"Removed {len(cohorts)} cohorts and {removed.get('recruiting.Applicant', 0):,} applicants of an earlier run")


def cohort_create(number: int, graduates: range, branch, district, round_, curriculum):
    """Create cohort `number` with one graduate per serial in `graduates`, in bulk; return the cohort."""
    from django.db import transaction
    from django.utils import timezone

    from curriculum.models import Cohort, CohortStatus, Enrollment, EnrollmentStatus
    from recruiting.models import Applicant, ApplicantStatus, Source

    today = timezone.localdate()
    # A cohort that finished its three months of training a week ago.
    starts_on = today - timedelta(weeks=14, days=today.weekday())
    with transaction.atomic():
        cohort = Cohort.objects.create(
            number=number,
            branch=branch,
            curriculum=curriculum,
            round=round_,
            starts_on=starts_on,
            capacity=len(graduates) + 10,
            status=CohortStatus.COMPLETED,
        )
        applicants = Applicant.objects.bulk_create(
            [
                Applicant(
                    round=round_,
                    name=full_name(serial),
                    mobile=f"010{FIRST_MOBILE + serial:08d}",
                    email=f"graduate-{serial}@{EMAIL_DOMAIN}",
                    birth_year=1970 + serial % 30,
                    district=district,
                    preferred_branch=branch,
                    source=Source.REFERRAL,
                    status=ApplicantStatus.ENROLLED,
                )
                for serial in graduates
            ]
        )
        graduated_at = timezone.now()
        Enrollment.objects.bulk_create(
            [
                Enrollment(
                    cohort=cohort, applicant=applicant, status=EnrollmentStatus.GRADUATED, graduated_at=graduated_at
                )
                for applicant in applicants
            ]
        )
    return cohort


def wait_for_empty_queue(deadline: float) -> None:
    """Return once the broker holds no task, so that the timed batch has the worker to itself."""
    from django_q.models import OrmQ

    while OrmQ.objects.exists():
        if time.monotonic() > deadline:
            raise BenchError(f"the worker left {OrmQ.objects.count()} queued tasks undone")
        time.sleep(POLL_SECONDS)


def batch_run(cohort, actor, timeout: float) -> dict[str, float]:
    """Issue the cohort's certificates through the worker and poll until the batch is finished.

    Returns the seconds from the start call to the finish seen by polling, to the worker
    picking the batch up, and from the batch's created_at to its finished_at.
    """
    from django_q.models import Failure

    from curriculum.certificates.services import certificate_batch_start
    from curriculum.models import BatchStatus

    failures = Failure.objects.filter(func=BATCH_TASK).count()
    started = time.perf_counter()
    deadline = time.monotonic() + timeout
    batch = certificate_batch_start(cohort=cohort, actor=actor)
    picked_up = None
    next_look = time.monotonic()
    while True:
        batch.refresh_from_db()
        now = time.perf_counter()
        if picked_up is None and batch.status != BatchStatus.QUEUED:
            picked_up = now - started
        if batch.status == BatchStatus.FINISHED:
            break
        if time.monotonic() > deadline:
            raise BenchError(f"the batch is {batch.status} with {batch.done} of {batch.total} after {timeout:g} s")
        if time.monotonic() >= next_look:
            # A task that raised is recorded as a failure and retried much later: stop at once.
            failed = Failure.objects.filter(func=BATCH_TASK).order_by("-stopped")
            if failed.count() > failures:
                raise BenchError(f"the batch task failed:\n{failed.first().result}")
            if batch.status == BatchStatus.RUNNING:
                note(f"  {batch.done} of {batch.total} done")
            next_look = time.monotonic() + PROGRESS_SECONDS
        time.sleep(POLL_SECONDS)
    return {
        "batch": batch.pk,
        "total": batch.total,
        "done": batch.done,
        "seconds": now - started,
        "picked_up": picked_up,
        "own_seconds": (batch.finished_at - batch.created_at).total_seconds(),
    }


def measure_bulk_inside(args: argparse.Namespace) -> int:
    """Create the cohorts, run the warm-up and the timed batch through the worker; print the results as JSON.

    Runs in the installation's environment, started by `measure` while a qcluster with
    one worker runs.
    """
    django_setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db.models import Max
    from django_q.conf import Conf
    from django_q.status import Stat

    from curriculum.defaults import DEFAULT_CURRICULUM_NAME
    from curriculum.models import Certificate, CertificateStatus, Cohort, Curriculum
    from recruiting.models import Branch, District, RecruitmentRound

    remove_earlier_run()
    hr = get_user_model().objects.get(username=STAFF_LOGIN)
    branch = Branch.objects.get(name=BRANCH)
    district = District.objects.filter(branch=branch).order_by("pk").first()
    round_ = RecruitmentRound.objects.order_by("pk").first()
    curriculum = Curriculum.objects.get(name=DEFAULT_CURRICULUM_NAME)
    if district is None or round_ is None:
        raise BenchError(f"the demo round or a district served by {BRANCH} is missing")
    number = max(FIRST_COHORT_NUMBER, (Cohort.objects.aggregate(Max("number"))["number__max"] or 0) + 1)
    note(f"Creating cohort {number} with {args.warmup} graduates and cohort {number + 1} with {args.graduates}")
    warmup = cohort_create(number, range(args.warmup), branch, district, round_, curriculum)
    cohort = cohort_create(
        number + 1, range(args.warmup, args.warmup + args.graduates), branch, district, round_, curriculum
    )

    # The warm-up batch also waits out the worker's start and any tasks seeding queued
    # (the demo applicants' confirmation emails on a new database).
    note(f"Warm-up batch of {args.warmup} certificates")
    batch_run(warmup, hr, args.timeout)
    wait_for_empty_queue(time.monotonic() + args.timeout)
    # The clusters report themselves every half second or so; a second cluster on the same
    # database (and secret key) would compete for the tasks.
    clusters = Stat.get_all()
    if len(clusters) != 1:
        raise BenchError(f"{len(clusters)} clusters serve the broker instead of the one started for the run")

    note(f"Timed batch of {args.graduates} certificates")
    timed = batch_run(cohort, hr, args.timeout)
    certificates = list(Certificate.objects.filter(enrollment__cohort=cohort, status=CertificateStatus.VALID))
    rendered = [certificate for certificate in certificates if certificate.pdf]
    emailed = sum(certificate.emailed_at is not None for certificate in certificates)
    if not timed["total"] == timed["done"] == len(rendered) == emailed == args.graduates:
        raise BenchError(
            f"the batch counted {timed['done']} of {timed['total']}; of {args.graduates} graduates "
            f"{len(certificates)} have a certificate, {len(rendered)} a PDF and {emailed} an email"
        )
    sizes = [certificate.pdf.size for certificate in rendered]
    results = {
        **timed,
        "sizes": sizes_summary(sizes),
        "cohort": cohort.number,
        "workers": len(clusters[0].workers),
        "poll": Conf.POLL,
        "task_timeout": settings.Q_CLUSTER["timeout"],
    }
    print(json.dumps(results))
    return 0


def log_tail(path: Path) -> str:
    """Return the last lines of a log file, or a note that it is empty."""
    lines = path.read_text(errors="replace").splitlines() if path.exists() else []
    return "\n".join(lines[-LOG_TAIL_LINES:]) or "(the log is empty)"


@contextlib.contextmanager
def qcluster(site: Installation, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run `manage.py qcluster` with one worker for the duration of the block; yield its process."""
    with log.open("ab") as output:
        # Its own session keeps Ctrl-C away from the cluster so that stop() shuts it down in order.
        process = subprocess.Popen(
            [site.python, "manage.py", "qcluster"],
            cwd=ROOT,
            env={**site.env, "Q_WORKERS": "1"},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        # The cluster stops its worker on SIGTERM; stop() kills the process group if it lingers.
        stop(process)
        # A cluster that died on its own leaves its pusher, monitor and worker behind in its
        # process group, still writing to the installation's folder: end them too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def measure(
    args: argparse.Namespace, site: Installation, step: str, worker: subprocess.Popen[bytes] | None = None
) -> dict:
    """Run this script again in the installation's environment for `step`; return what it printed.

    While it runs, the worker is watched: if the cluster exits, waiting for the batch is
    pointless and the measuring process is stopped.
    """
    command = [
        site.python,
        str(Path(__file__).resolve()),
        f"--inside={step}",
        f"--renders={args.renders}",
        f"--graduates={args.graduates}",
        f"--warmup={args.warmup}",
        f"--timeout={args.timeout}",
    ]
    # Its progress and any traceback go straight to our stderr; stdout carries the results.
    with subprocess.Popen(command, cwd=ROOT, env=site.env, stdout=subprocess.PIPE, text=True) as process:
        try:
            while True:
                try:
                    output, _ = process.communicate(timeout=WATCH_SECONDS)
                    break
                except subprocess.TimeoutExpired:
                    if worker is not None and worker.poll() is not None:
                        raise BenchError(f"the qcluster exited with {worker.returncode}") from None
        except BaseException:
            # The measuring process holds nothing that needs an orderly stop.
            process.kill()
            raise
    if process.returncode:
        raise BenchError(f"measuring the {step} failed with exit status {process.returncode}")
    return json.loads(output.strip().splitlines()[-1])


def worker_problems(log: Path) -> list[str]:
    """Return the lines of the cluster's log that are not its own start, stop and task notes at INFO."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    return [line for line in lines if " INFO " not in line]


def run(args: argparse.Namespace) -> int:
    """Prepare a temporary installation, measure it, print the results and return the exit status."""
    bulk = None
    problems = []
    with installation(args.database_url) as site:
        # An inherited EMAIL_HOST would send the certificates' emails out over SMTP; the
        # file backend under the installation's folder takes them instead.
        site = Installation(site.python, {**site.env, "EMAIL_HOST": ""}, site.var_dir)
        renderer = measure(args, site, "renderer")
        if not args.renderer_only:
            log = site.var_dir / "qcluster.log"
            note("Starting manage.py qcluster with Q_WORKERS=1")
            try:
                with qcluster(site, log) as worker:
                    bulk = measure(args, site, "bulk", worker)
            except BenchError as error:
                raise BenchError(f"{error}\nlast lines of the qcluster's log:\n{log_tail(log)}") from None
            problems = worker_problems(log)
    for line in problems[:LOG_TAIL_LINES]:
        note(f"qcluster: {line}")

    renderer_rate = renderer["certificates"] / renderer["seconds"]
    heading = (
        f"Completion certificates on {engine_name(args.database_url)}: DEBUG off, {os.cpu_count()} CPUs; "
        f"{args.renders} bare renders after {args.warmup} warm-up"
    )
    if bulk is not None:
        workers = f"{bulk['workers']} worker" + ("s" if bulk["workers"] != 1 else "")
        heading += (
            f"; bulk issue of {args.graduates} graduates (cohort {bulk['cohort']}) by a qcluster with {workers}, "
            f"after a warm-up batch of {args.warmup}"
        )
    print(heading)
    rows = [
        ("measure", "certificates", "seconds", "per second", "ms each", "median ms", "p95 ms"),
        (
            "bare renderer, in memory",
            str(renderer["certificates"]),
            f"{renderer['seconds']:.2f}",
            f"{renderer_rate:.1f}",
            f"{1000 / renderer_rate:.1f}",
            percentile_ms(renderer["latencies"], 0.50),
            percentile_ms(renderer["latencies"], 0.95),
        ),
    ]
    if bulk is not None:
        # The batch is one task: single certificates are not timed, only the whole.
        for name, seconds in (
            ("bulk issue, start call to finished", bulk["seconds"]),
            ("bulk issue, created_at to finished_at", bulk["own_seconds"]),
        ):
            rate = bulk["total"] / seconds
            rows.append((name, str(bulk["total"]), f"{seconds:.2f}", f"{rate:.1f}", f"{1000 / rate:.1f}", "-", "-"))
    print(format_table(rows))
    shares = sorted(renderer["shares"].items(), key=lambda share: share[1], reverse=True)
    print(
        f"share of a render under cProfile ({renderer['profiled']} renders): "
        + ", ".join(f"{name} {share:.0%}" for name, share in shares)
    )
    size_rows = [("PDF size", "PDFs", "mean bytes", "min bytes", "max bytes")]
    sizes = [("bare renderer", renderer["sizes"])]
    if bulk is not None:
        bulk_rate = bulk["total"] / bulk["seconds"]
        print(
            f"bulk rate / renderer rate: {bulk_rate / renderer_rate:.2f} "
            f"(start call to finished, seen by polling every {POLL_SECONDS * 1000:.0f} ms)"
        )
        print(
            f"the worker picked the batch up {bulk['picked_up']:.2f} s after the start call "
            f"(the ORM broker polls every {bulk['poll']:g} s); the whole batch is one task, which took "
            f"{bulk['own_seconds']:.1f} s of the cluster's {bulk['task_timeout']} s timeout"
        )
        sizes.append(("bulk issue, Certificate.pdf", bulk["sizes"]))
    for name, summary in sizes:
        size_rows.append(
            (name, str(summary["count"]), f"{summary['mean']:,.0f}", f"{summary['min']:,}", f"{summary['max']:,}")
        )
    print(format_table(size_rows))
    if bulk is not None:
        print(f"every graduate got a rendered and emailed certificate; worker log lines above INFO: {len(problems)}")
    return 0


def main() -> int:
    """Parse the options, run the benchmark and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=positive_int, default=200, help="timed bare renders (default 200)")
    parser.add_argument(
        "--graduates", type=positive_int, default=200, help="graduates of the timed bulk issue (default 200)"
    )
    parser.add_argument(
        "--warmup",
        type=positive_int,
        default=10,
        help="warm-up renders, and graduates of the warm-up batch (default 10)",
    )
    parser.add_argument(
        "--timeout", type=positive_float, default=600, help="seconds to wait for a batch to finish (default 600)"
    )
    parser.add_argument(
        "--renderer-only", action="store_true", help="measure the bare renderer only, without the bulk issue"
    )
    parser.add_argument(
        "--database-url", help="benchmark this PostgreSQL database (migrated and seeded) instead of a new SQLite"
    )
    # The measuring halves, run by `measure` in the installation's environment.
    parser.add_argument("--inside", choices=("renderer", "bulk"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside == "renderer":
        return run_guarded(lambda: measure_renderer_inside(args))
    if args.inside == "bulk":
        return run_guarded(lambda: measure_bulk_inside(args))
    return run_guarded(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
