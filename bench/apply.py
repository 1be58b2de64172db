"""Measure application submits under gunicorn and check that none is lost or duplicated.

Builds a throwaway installation (demo content, collected static files) in a temporary
folder, serves it with gunicorn in production mode on a free local port, and posts valid
applications to /apply/ from concurrent client threads. Every tenth submit resends a
mobile number already sent, half of them the one just handed to another client, so that
double submits race each other. Afterwards it counts the rows: each mobile answered with
a redirect must have exactly one applicant, one notification and one queued email task.
Progress goes to stderr, the results to stdout; the exit status is 1 when anything is off.

    .venv/bin/python bench/apply.py [--workers 4] [--clients 8] [--submissions 2000]
        [--database-url postgres://postgres@127.0.0.1:5432/csrc_bench_apply]
"""

import argparse
import html
import http.client
import json
import os
import random
import re
import sys
import threading
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from common import (
    HOST,
    REQUEST_TIMEOUT,
    BenchError,
    Installation,
    engine_name,
    format_table,
    installation,
    manage,
    note,
    percentile_ms,
    positive_int,
    run_guarded,
    serve,
)

APPLY_PATH = "/apply/"
DONE_PATH = "/apply/done/"
DISTRICT = "강서구"
NAMES = ("김민지", "이서연", "박지훈", "최수아", "정하준", "강예린", "조민서", "윤도윤")
# Marks the benchmark's applicants, so that a reused database can be cleaned and counted
# without touching anyone else's rows; .invalid can never be delivered to.
EMAIL_DOMAIN = "apply-bench.invalid"
FIRST_MOBILE = 20_000_000  # 010-2000-0000: valid Korean mobiles, one per intended applicant
RESEND_EVERY = 10
SEED = 20240601
# Longer than SQLite's 20 s busy timeout, so that a submit waiting for the write lock is
# measured rather than abandoned while the server may still record it.
POST_TIMEOUT = 60.0
# Gunicorn reports starting and stopping at [INFO]; with LOG_LEVEL=WARNING anything else
# in its output is a warning, an error or a traceback line from the app.
GUNICORN_INFO = re.compile(r"^\[[^]]+\] \[\d+\] \[INFO\] ")

# Run by `manage.py shell -c` before the run: removes the applicants (with their consents,
# events and notifications) of an earlier run on the same database.
REMOVE_EARLIER_RUN = f"""
from recruiting.models import Applicant
_, deleted = Applicant.objects.filter(email__endswith="@{EMAIL_DOMAIN}").delete()
print(deleted.get("recruiting.Applicant", 0))
"""

# Run by `manage.py shell -c` after the run: prints the counts as JSON, then removes the
# run's queued email tasks: they are signed with the run's throwaway SECRET_KEY, so no
# worker could ever read them.
COUNT_ROWS = f"""
import json
from django.db.models import Count
from django_q.models import OrmQ
from recruiting.models import Applicant, Notification
from recruiting.services import notification_send
applicants = Applicant.objects.filter(email__endswith="@{EMAIL_DOMAIN}")
rows = dict(applicants.order_by().values_list("mobile").annotate(rows=Count("pk")))
notifications = set(Notification.objects.filter(applicant__in=applicants).values_list("pk", flat=True))
tasks = [
    queued
    for queued in OrmQ.objects.all()
    if queued.func() == notification_send and queued.kwargs().get("notification_id") in notifications
]
print(json.dumps({{"rows": rows, "notifications": len(notifications), "tasks": len(tasks)}}))
OrmQ.objects.filter(pk__in=[queued.pk for queued in tasks]).delete()
"""


@dataclass(frozen=True)
class ApplyForm:
    """What a client needs from the form page to post to it."""

    cookie: str
    token: str
    district: str
    round: str
    consents: tuple[str, ...]


@dataclass
class Outcome:
    """The answer to one submit: status 0 means no answer at all."""

    mobile: str
    status: int
    sent: float
    latency: float
    detail: str = ""


@dataclass
class Counts:
    """The rows the database holds for the run's applicants."""

    rows: dict[str, int]
    notifications: int
    tasks: int


class FormParser(HTMLParser):
    """Collect the CSRF token, the district id, the open round and the consent boxes of the form."""

    def __init__(self) -> None:
        super().__init__()
        self.token = ""
        self.round = ""
        self.district = ""
        self.consents: list[str] = []
        self._in_district = False
        self._option = ""
        self._option_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Note the inputs we fill in and the district options."""
        values = {name: value or "" for name, value in attrs}
        name, kind = values.get("name", ""), values.get("type", "")
        if tag == "input" and name == "csrfmiddlewaretoken":
            self.token = values.get("value", "")
        elif tag == "input" and kind == "radio" and name == "round":
            self.round = self.round or values.get("value", "")
        elif tag == "input" and kind == "checkbox" and name.startswith("consent_"):
            self.consents.append(name)
        elif tag == "select":
            self._in_district = name == "district"
        elif tag == "option" and self._in_district:
            self._option, self._option_text = values.get("value", ""), ""

    def handle_data(self, data: str) -> None:
        """Gather the label of the current district option."""
        if self._option:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        """Take the district whose label we look for."""
        if tag == "option" and self._option:
            if self._option_text.strip() == DISTRICT:
                self.district = self._option
            self._option = ""
        elif tag == "select":
            self._in_district = False


def load_form(port: int) -> ApplyForm:
    """GET the apply page on a new connection, as a new visitor, and return what posting needs."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", APPLY_PATH)
        response = connection.getresponse()
        body = response.read().decode()
    finally:
        connection.close()
    if response.status != 200:
        raise BenchError(f"GET {APPLY_PATH} answered {response.status}")
    cookies = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    parser = FormParser()
    parser.feed(body)
    missing = [
        what
        for what, value in (
            ("csrftoken cookie", "csrftoken" in cookies),
            ("csrfmiddlewaretoken", parser.token),
            (f"district {DISTRICT}", parser.district),
            ("open round", parser.round),
        )
        if not value
    ]
    if missing:
        raise BenchError(f"GET {APPLY_PATH} lacks {', '.join(missing)}")
    return ApplyForm(
        cookie=f"csrftoken={cookies['csrftoken'].value}",
        token=parser.token,
        district=parser.district,
        round=parser.round,
        consents=tuple(parser.consents),
    )


def mobile_number(serial: int) -> str:
    """Return the `serial`th benchmark mobile as applicants type it: 010-2000-0000 onwards."""
    digits = f"{FIRST_MOBILE + serial:08d}"
    return f"010-{digits[:4]}-{digits[4:]}"


def plan(submissions: int) -> list[str]:
    """Return the mobile of each submit in the order they are handed out."""
    rng = random.Random(SEED)
    mobiles: list[str] = []
    serial = 0
    for index in range(submissions):
        if index % RESEND_EVERY == RESEND_EVERY - 1:
            # The previous submit was just handed to another client: the two race. The
            # others repeat one answered long ago, as a second tab or a retry would.
            mobiles.append(mobiles[-1] if index // RESEND_EVERY % 2 == 0 else rng.choice(mobiles))
        else:
            mobiles.append(mobile_number(serial))
            serial += 1
    return mobiles


def fields(form: ApplyForm, mobile: str) -> str:
    """Return the urlencoded body of one valid application; a resend repeats it exactly."""
    digits = mobile.replace("-", "")
    serial = int(digits[3:]) - FIRST_MOBILE
    values = {
        "csrfmiddlewaretoken": form.token,
        "name": NAMES[serial % len(NAMES)],
        "mobile": mobile,
        "email": f"bench-{digits}@{EMAIL_DOMAIN}",
        "birth_year": str(1960 + serial % 40),
        "province": "seoul",
        "district": form.district,
        "preferred_branch": "",
        "round": form.round,
        "source": "referral",
        "motivation": "고객과 오래 만나는 일을 하고 싶습니다.",
        "website": "",
    }
    values.update(dict.fromkeys(form.consents, "on"))
    return urlencode(values)


def form_errors(body: str) -> str:
    """Return the error summary of a re-shown form as one line of text."""
    match = re.search(r'id="form-errors">(.*?)</div>', body, re.DOTALL)
    return page_text(match.group(1)) if match else page_text(body)[:200]


def page_text(body: str) -> str:
    """Return the visible text of an HTML page as one line."""
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", body, flags=re.DOTALL | re.IGNORECASE)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def drive(port: int, forms: list[ApplyForm], mobiles: list[str]) -> tuple[list[Outcome], float]:
    """Post the planned submits from one thread per form; return the outcomes and elapsed time."""
    go = threading.Event()
    lock = threading.Lock()
    next_index = 0
    outcomes: list[list[Outcome]] = [[] for _ in forms]

    def take() -> int | None:
        nonlocal next_index
        with lock:
            if next_index >= len(mobiles):
                return None
            next_index += 1
            return next_index - 1

    def client(number: int) -> None:
        form, own = forms[number], outcomes[number]
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": form.cookie}
        connection = http.client.HTTPConnection(HOST, port, timeout=POST_TIMEOUT)
        go.wait()
        while (index := take()) is not None:
            mobile = mobiles[index]
            sent = time.perf_counter()
            try:
                connection.request("POST", APPLY_PATH, fields(form, mobile), headers)
                response = connection.getresponse()
                body = response.read().decode(errors="replace")
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                own.append(Outcome(mobile, 0, sent, time.perf_counter() - sent, f"{type(error).__name__}: {error}"))
                continue
            latency = time.perf_counter() - sent
            status, detail = response.status, ""
            if status == 302 and response.getheader("Location") != DONE_PATH:
                # A redirect elsewhere (a login, https) is not a recorded application.
                status, detail = -302, f"302 to {response.getheader('Location')}"
            elif status == 200:
                detail = form_errors(body)
            elif status != 302:
                detail = page_text(body)[:200]
            own.append(Outcome(mobile, status, sent, latency, detail))
        connection.close()

    # Daemon threads let Ctrl-C end the run without waiting for the submits.
    threads = [threading.Thread(target=client, args=(number,), daemon=True) for number in range(len(forms))]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    go.set()
    for thread in threads:
        thread.join()
    return [outcome for own in outcomes for outcome in own], time.perf_counter() - started


def shell(site: Installation, code: str) -> str:
    """Run Python code in the installation's Django shell and return the last line it printed."""
    output = manage(site.python, ["shell", "--no-imports", "-c", code], site.env).strip()
    return output.splitlines()[-1] if output else ""


def overlapping_resends(outcomes: list[Outcome]) -> int:
    """Return how many submits were in flight while another submit of the same mobile was."""
    by_mobile: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_mobile.setdefault(outcome.mobile, []).append(outcome)
    overlapping = 0
    for same in by_mobile.values():
        same.sort(key=lambda outcome: outcome.sent)
        overlapping += sum(
            1 for earlier, later in zip(same, same[1:], strict=False) if later.sent < earlier.sent + earlier.latency
        )
    return overlapping


def count_rows(site: Installation) -> Counts:
    """Count the run's applicants per mobile, their notifications and their queued email tasks."""
    counted = json.loads(shell(site, COUNT_ROWS))
    return Counts(counted["rows"], counted["notifications"], counted["tasks"])


def server_problems(site: Installation) -> list[str]:
    """Return the lines of gunicorn's output other than its own notes: warnings, errors, tracebacks."""
    if not site.log.exists():
        return []
    lines = site.log.read_text(errors="replace").splitlines()
    return [line for line in lines if line.strip() and not GUNICORN_INFO.match(line)]


def report_details(outcomes: list[Outcome], problems: list[str]) -> None:
    """Print to stderr a sample of the unexpected answers and of the server's error lines."""
    odd: dict[str, int] = {}
    for outcome in outcomes:
        if outcome.status != 302:
            key = f"{outcome.status or 'no answer'}: {outcome.detail}"
            odd[key] = odd.get(key, 0) + 1
    for key, times in sorted(odd.items(), key=lambda item: -item[1])[:10]:
        note(f"  {times} × {key}")
    if problems:
        note(f"gunicorn logged {len(problems)} problem lines, the first of them:")
        for line in problems[:20]:
            note(f"  {line}")


def run(args: argparse.Namespace) -> int:
    """Prepare a temporary installation, submit to it, count the rows and print the results."""
    mobiles = plan(args.submissions)
    with installation(args.database_url) as site:
        removed = shell(site, REMOVE_EARLIER_RUN)
        if removed != "0":
            note(f"Removed {removed} applicants left by an earlier run, with their consents, events and notifications")
        # The limits protect a real site from floods; here they would only cut the run short.
        limits = {"RATE_LIMIT_APPLY_PER_ADDRESS": "100000000", "RATE_LIMIT_APPLY_PER_MOBILE": "100000000"}
        with serve(site, args.workers, **limits) as port:
            note(f"Loading the form for {args.clients} clients")
            forms = [load_form(port) for _ in range(args.clients)]
            note(f"Posting {len(mobiles)} applications")
            outcomes, elapsed = drive(port, forms, mobiles)
        note("Counting rows")
        counts = count_rows(site)
        problems = server_problems(site)

    statuses = [outcome.status for outcome in outcomes]
    answered = {outcome.mobile for outcome in outcomes if outcome.status == 302}
    duplicated = sum(max(0, rows - 1) for rows in counts.rows.values())
    lost = sum(1 for mobile in answered if mobile.replace("-", "") not in counts.rows)
    applicants = sum(counts.rows.values())
    other = sum(1 for status in statuses if status not in (302, 200, 429))
    latencies = [outcome.latency for outcome in outcomes if outcome.status]

    print(
        f"Apply form on {engine_name(args.database_url)}: gunicorn {args.workers} sync workers, "
        f"{args.clients} client threads, {os.cpu_count()} CPUs shared with the clients"
    )
    rows = [
        ("measure", "value"),
        ("submissions sent", str(len(outcomes))),
        ("distinct mobiles", str(len(set(mobiles)))),
        ("resends overlapping the first", str(overlapping_resends(outcomes))),
        ("answered 302 (recorded)", str(statuses.count(302))),
        ("answered 200 (form error)", str(statuses.count(200))),
        ("answered 429 (rate limit)", str(statuses.count(429))),
        ("other answers", str(other)),
        ("elapsed s", f"{elapsed:.2f}"),
        ("submissions/s", f"{len(outcomes) / elapsed:.1f}"),
        ("p50 ms", percentile_ms(latencies, 0.50)),
        ("p99 ms", percentile_ms(latencies, 0.99)),
        ("applicant rows", str(applicants)),
        ("duplicated rows", str(duplicated)),
        ("lost rows", str(lost)),
        ("notifications recorded", str(counts.notifications)),
        ("tasks queued", str(counts.tasks)),
        ("server log problem lines", str(len(problems))),
    ]
    print(format_table(rows))

    failures = [
        reason
        for reason, failed in (
            ("lost rows", lost),
            ("duplicated rows", duplicated),
            ("answers other than 302", len(outcomes) - statuses.count(302)),
            ("notifications differ from applicants", counts.notifications != applicants),
            ("queued tasks differ from notifications", counts.tasks != counts.notifications),
        )
        if failed
    ]
    report_details(outcomes, problems)
    print(f"result: {'FAILED: ' + ', '.join(failures) if failures else 'ok'}")
    return 1 if failures else 0


def main() -> int:
    """Parse the options, run the benchmark and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=positive_int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--clients", type=positive_int, default=8, help="concurrent client threads (default 8)")
    parser.add_argument(
        "--submissions", type=positive_int, default=2000, help="applications posted in all (default 2000)"
    )
    parser.add_argument(
        "--database-url", help="benchmark this PostgreSQL database (migrated and seeded) instead of a new SQLite"
    )
    args = parser.parse_args()
    return run_guarded(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
