"""Measure the customers' notices of a new manager on one worker, killed with SIGKILL half-way and restarted.

Builds a throwaway installation (demo content) in a temporary folder with the notice
channel's file backend (NOTICE_BACKEND=file: a file per message under VAR_DIR/notices/).
A second process in the installation's environment (DEBUG off) imports a book of
10,000 customers with a mobile as the demo HR login, plans it over the demo's registered
consultants and approves the plan, then starts a real `manage.py qcluster` with one
worker (Q_WORKERS=1), waits until it has sent the demo's own notices (the warm-up), and
asks for the plan to be applied as HR does: the worker applies it, which creates the
10,000 notices and queues their sending. When half of them have gone, it kills the
cluster's whole process group with SIGKILL, starts a new one, and waits until every
notice has gone: the tasks the dead cluster held come back from the broker after its
`retry`, and the message it was sending when it died is sent again by the retry job once
its claim is stale (core.outbox's CLAIM_TIMEOUT, ten minutes; the benchmark queues that
job then rather than waiting up to five more minutes for its schedule).

It prints notices per second before the kill, after the restart and end to end, then
counts the files per notice: a notice with two files is a duplicate, one with none was
lost; both must be 0. It also counts from the worker's log the messages the channel was
asked to send again and dropped by their id: the ones the killed worker had handed over
without recording. The exit status is 1 when a notice is duplicated, lost or unsent
after --timeout seconds.

    .venv/bin/python bench/notices.py [--notices 10000] [--kill-at 0.5] [--timeout 1500]
        [--database-url postgres://postgres@127.0.0.1:5432/csrc_bench_notices]
"""

import argparse
import contextlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from common import (
    ROOT,
    BenchError,
    Installation,
    engine_name,
    format_table,
    installation,
    note,
    positive_int,
    run_guarded,
)

STAFF_LOGIN = "hr"
POLL_SECONDS = 0.25
# No notice sent for this long after the restart: the new worker has sent all it could take.
STALL_SECONDS = 5.0
PROGRESS_SECONDS = 10.0
# The log line core.notices writes when a message of a known id is sent again.
REPEAT = re.compile(r"Notice (\S+) was handed over before")
MESSAGE_ID = re.compile(r"^Message-Id: (\S+)$", re.MULTILINE)
FIRST_MOBILE = 50_000_000  # 010-5000-0000 onwards: clear of the demo's and the other benchmarks' numbers


def positive_share(text: str) -> float:
    value = float(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


# Everything below down to `run_inside` runs in the measuring process, after `django_setup`;
# it imports Django and the project inside functions, as the outer process never sets Django up.


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def book_prepare(count: int) -> int:
    """Import a book of `count` customers with a mobile where the demo's consultants live; plan and approve it.

    Return the plan's id. Each run's customer numbers are new, so a reused database gets a
    new book (the earlier one leaves it) and new notices.
    """
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assignments.models import PoolMember
    from assignments.services import (
        assignment_run_approve,
        assignment_run_plan,
        assignment_run_start,
        book_import_run,
        book_import_start,
    )

    hr = get_user_model().objects.get(username=STAFF_LOGIN)
    members = list(PoolMember.objects.assignable().select_related("enrollment__applicant__district"))
    if not members:
        raise BenchError("the demo has no registered, active consultant")
    # Room for the whole book at the ramp-up of a first month in the pool (half).
    PoolMember.objects.filter(pk__in=[m.pk for m in members]).update(capacity=2 * count // len(members) + 10)
    homes = [m.enrollment.applicant.district for m in members]
    token = secrets.token_hex(3).upper()
    lines = ["고객번호,고객명,휴대폰,주소,계약번호,상품군,월보험료,갱신일,설계사코드,해촉일"]
    for serial in range(count):
        district = homes[serial % len(homes)]
        mobile = f"010{FIRST_MOBILE + serial:08d}"
        address = f"{district.get_province_display()} {district.name} 중앙로 {serial % 300 + 1}"
        lines.append(
            f"N{token}{serial:06d},고객{serial},{mobile},{address},K{token}{serial:06d},장기,30000,,P1,2026-11-02"
        )
    upload = SimpleUploadedFile("notices-bench.csv", ("\n".join(lines) + "\n").encode())
    note(f"Importing a book of {count:,} customers with a mobile")
    book_import, _created = book_import_start(upload=upload, actor=hr)
    book_import = book_import_run(import_id=book_import.pk)
    if book_import.rows_refused:
        raise BenchError(f"the import refused {book_import.rows_refused} rows")
    note(f"Planning over {len(members)} consultants")
    run = assignment_run_plan(run_id=assignment_run_start(actor=hr, branch=None).pk)
    assignment_run_approve(run=run, actor=hr)
    if run.figures["new"] != count:
        raise BenchError(f"the plan gives {run.figures['new']} of {count} customers a consultant")
    return run.pk


class Cluster:
    """A `manage.py qcluster` with one worker, in a process group of its own, logging at INFO to `log`."""

    def __init__(self, log: Path):
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {**os.environ, "Q_WORKERS": "1", "LOG_LEVEL": "INFO"}
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        """Kill the cluster's every process at once, as a machine that loses power would."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self.kill()
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        self.kill()

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise BenchError(f"the qcluster exited with {self.process.returncode}")


def wait_for_empty_queue(cluster: Cluster, deadline: float) -> None:
    from django_q.models import OrmQ

    while OrmQ.objects.exists():
        cluster.check_alive()
        if time.monotonic() > deadline:
            raise BenchError(f"the worker left {OrmQ.objects.count()} queued tasks undone")
        time.sleep(POLL_SECONDS)


def run_inside(args: argparse.Namespace) -> int:
    """Prepare the book, send its notices through a worker killed half-way, count the files; print JSON."""
    django_setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db.models import Max
    from django.utils import timezone
    from django_q.models import OrmQ
    from django_q.tasks import async_task

    from assignments.models import AssignmentRun, CustomerNotice, RunStatus
    from assignments.services import assignment_run_apply_request
    from assignments.services.notices import customer_notices_retry_due
    from core.outbox import CLAIM_TIMEOUT

    run_id = book_prepare(args.notices)
    folder = Path(settings.NOTICE_FILE_PATH)
    log = Path(settings.VAR_DIR) / "qcluster.log"
    deadline = time.monotonic() + args.timeout
    cluster = Cluster(log)
    timeline: dict[str, float] = {}
    try:
        note("Starting manage.py qcluster with Q_WORKERS=1; it first sends the demo's own notices")
        cluster.start()
        wait_for_empty_queue(cluster, deadline)

        notices = CustomerNotice.objects.filter(run_id=run_id)
        hr = get_user_model().objects.get(username=STAFF_LOGIN)
        started = time.monotonic()
        assignment_run_apply_request(run=AssignmentRun.objects.get(pk=run_id), actor=hr)
        kill_at = int(args.notices * args.kill_at)
        note(f"Applying the plan in the worker; killing it once {kill_at:,} notices have gone")
        next_note = time.monotonic() + PROGRESS_SECONDS
        while (sent := notices.filter(sent_at__isnull=False).count()) < kill_at:
            cluster.check_alive()
            if time.monotonic() > deadline:
                raise BenchError(f"{sent} notices sent before the timeout")
            if time.monotonic() >= next_note:
                note(f"  {sent:,} sent")
                next_note = time.monotonic() + PROGRESS_SECONDS
            time.sleep(POLL_SECONDS)
        if AssignmentRun.objects.get(pk=run_id).status != RunStatus.APPLIED:
            raise BenchError("the notices went out before the plan was applied")
        cluster.kill()
        killed = time.monotonic()
        sent_before_kill = notices.filter(sent_at__isnull=False).count()
        claimed = list(notices.filter(sent_at__isnull=True, send_claimed_at__isnull=False).values_list("pk", flat=True))
        note(f"Killed the cluster (SIGKILL) with {sent_before_kill:,} sent and {len(claimed)} claimed; restarting")
        cluster.start()
        restarted = time.monotonic()

        retry_queued = None
        # The new worker sends what the dead one never took, then stalls until the broker hands
        # out again the tasks the dead one held and the retry job takes what it had claimed.
        progress = (restarted, sent_before_kill)
        stalled = None
        next_note = time.monotonic() + PROGRESS_SECONDS
        while (sent := notices.filter(sent_at__isnull=False).count()) < args.notices:
            cluster.check_alive()
            now = time.monotonic()
            if now > deadline:
                raise BenchError(f"{sent:,} of {args.notices:,} notices sent before the timeout")
            if sent != progress[1]:
                progress = (now, sent)
            elif stalled is None and now - progress[0] > STALL_SECONDS:
                stalled = progress
                note(f"  sending stalled at {sent:,}: waiting for the broker's retry and for stale claims")
            if not OrmQ.objects.exists():
                # The unsent are due when their claim goes stale (CLAIM_TIMEOUT after it was taken)
                # or, never claimed, CLAIM_TIMEOUT after they were made: then the retry job sends them,
                # as the "customer notice retries" schedule does every five minutes.
                due = notices.filter(sent_at__isnull=True).aggregate(due=Max("send_next_attempt_at"))["due"]
                if due is not None and timezone.now() >= due and (retry_queued is None or now - retry_queued > 30):
                    async_task(customer_notices_retry_due)
                    retry_queued = now
            if now >= next_note:
                note(f"  {sent:,} sent")
                next_note = now + PROGRESS_SECONDS
            time.sleep(POLL_SECONDS)
        stalled = stalled or (time.monotonic(), args.notices)
        done = time.monotonic()
        cluster.stop()
    finally:
        cluster.kill()

    rows = list(notices.values_list("pk", "created_at", "send_attempts"))
    ids = {CustomerNotice(pk=pk, created_at=created_at).message_id: pk for pk, created_at, _attempts in rows}
    files_per_notice = Counter()
    strangers = 0
    for path in folder.glob("*.txt"):
        match = MESSAGE_ID.search(path.read_text(encoding="utf-8"))
        if match and match[1] in ids:
            files_per_notice[match[1]] += 1
        elif match is None:
            strangers += 1
    repeats = REPEAT.findall(log.read_text(errors="replace"))
    timeline.update(
        started=0.0,
        killed=killed - started,
        restarted=restarted - started,
        stalled=stalled[0] - started,
        retry_queued=(retry_queued - started) if retry_queued else None,
        done=done - started,
    )
    results = {
        "notices": len(rows),
        "expected": args.notices,
        "sent_before_kill": sent_before_kill,
        "claimed_at_kill": len(claimed),
        "timeline": timeline,
        "sent_before_stall": stalled[1],
        "files": sum(files_per_notice.values()),
        "duplicates": sum(1 for count in files_per_notice.values() if count > 1),
        "missing": len(ids) - len(files_per_notice),
        "unreadable_files": strangers,
        "repeats_dropped": len([repeat for repeat in repeats if repeat in ids]),
        "attempts": dict(Counter(attempts for _pk, _created, attempts in rows)),
        "claim_timeout": CLAIM_TIMEOUT.total_seconds(),
        "queue_retry": settings.Q_CLUSTER["retry"],
    }
    print(json.dumps(results))
    return 0


def measure(args: argparse.Namespace, site: Installation) -> dict:
    """Run this script again in the installation's environment; return the JSON it printed."""
    command = [
        site.python,
        str(Path(__file__).resolve()),
        "--inside",
        f"--notices={args.notices}",
        f"--kill-at={args.kill_at}",
        f"--timeout={args.timeout}",
    ]
    completed = subprocess.run(command, cwd=ROOT, env=site.env, stdout=subprocess.PIPE, text=True, check=False)
    if completed.returncode:
        log = site.var_dir / "qcluster.log"
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:]) if log.exists() else "(no log)"
        raise BenchError(f"the measuring process failed ({completed.returncode}); the worker's log ends:\n{tail}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:.0f}" if seconds > 0 else "-"


def run(args: argparse.Namespace) -> int:
    """Prepare a temporary installation, measure it, print the results and return the exit status."""
    with installation(args.database_url) as site:
        # The file backend under the installation's folder, whatever the caller's environment says.
        env = {**site.env, "NOTICE_BACKEND": "file", "EMAIL_HOST": ""}
        results = measure(args, Installation(site.python, env, site.var_dir))

    timeline = results["timeline"]
    before = results["sent_before_kill"]
    after = results["notices"] - before
    print(
        f"Customer notices on {engine_name(args.database_url)}: DEBUG off, {os.cpu_count()} CPUs; "
        f"{results['notices']:,} text messages to the file backend by a qcluster with one worker, "
        f"killed with SIGKILL after {before:,} and restarted"
    )
    killed, restarted, stalled, done = (timeline[key] for key in ("killed", "restarted", "stalled", "done"))
    after = results["sent_before_stall"] - before
    late = results["notices"] - results["sent_before_stall"]
    sending = killed + stalled - restarted
    rows = [
        ("stretch", "notices sent", "seconds", "per second"),
        ("apply requested → killed", f"{before:,}", f"{killed:.1f}", f"{before / killed:.0f}"),
        ("restarted → sending stalls", f"{after:,}", f"{stalled - restarted:.1f}", _rate(after, stalled - restarted)),
        ("a worker sending (the two above)", f"{before + after:,}", f"{sending:.1f}", _rate(before + after, sending)),
        ("stalled → the last sent (broker retry, stale claims)", f"{late:,}", f"{done - stalled:.1f}", "-"),
        ("end to end", f"{results['notices']:,}", f"{done:.1f}", _rate(results["notices"], done)),
    ]
    print(format_table(rows))
    retry = timeline["retry_queued"]
    print(
        f"at the kill {results['claimed_at_kill']} notice(s) were claimed and not recorded; "
        + (f"the retry job was queued {retry:.0f} s after the apply request" if retry else "no retry job was needed")
        + f" (claims go stale after {results['claim_timeout']:.0f} s; the broker hands a dead worker's task out "
        f"again after {results['queue_retry']} s)"
    )
    print(f"attempts per notice: {dict(sorted(results['attempts'].items()))}")
    print(
        f"files: {results['files']:,} for {results['notices']:,} notices; duplicates (notices with more than one "
        f"file): {results['duplicates']}; lost (no file): {results['missing']}; messages sent again and dropped by "
        f"their id: {results['repeats_dropped']}"
    )
    if results["notices"] != args.notices or results["duplicates"] or results["missing"]:
        raise BenchError("a notice is missing, lost or duplicated")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=positive_int, default=10_000, help="customers to notify (default 10000)")
    parser.add_argument(
        "--kill-at", type=positive_share, default=0.5, help="share of the notices sent before the kill (default 0.5)"
    )
    parser.add_argument(
        "--timeout", type=positive_int, default=1500, help="seconds to wait for every notice (default 1500)"
    )
    parser.add_argument("--database-url", help="benchmark this PostgreSQL database instead of a new SQLite")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        return run_guarded(lambda: run_inside(args))
    return run_guarded(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
