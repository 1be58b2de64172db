"""Two web processes and two workers share one PostgreSQL database, with Redis as broker and caches.

Two gunicorn instances (deploy/gunicorn.conf.py) and two `manage.py qcluster` run on the
test database and a Redis server of the test's own. Applicants apply and book through
both, some twice at once on the two; HR starts the certificate batches of two cohorts
through both, one of them on both at once; an editor publishes a page on one. Then every
application is stored once, no seat is sold twice, every email went out exactly once,
every certificate has a number of its own with none skipped, and the other process
serves the published page straight away.
"""

import email
import email.policy
import os
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django_q.models import Failure

from config.tests.processes import (
    HOST,
    Response,
    free_port,
    gunicorn_command,
    manage,
    production_env,
    request,
    require_tool,
    start,
    stop,
    wait_for,
    wait_until_answering,
)
from core.roles import Role
from curriculum.models import BatchStatus, Certificate, CertificateBatch, CertificateStatus, Cohort, Curriculum
from curriculum.services import curriculum_install_default, enrollment_enroll
from curriculum.tests.factories import make_accepted, make_graduate
from recruiting.models import Applicant, Appointment, AppointmentStatus, Notification
from recruiting.tests.factories import make_slot, make_staff
from recruiting.tests.worker import database_url

# The servers are other processes: they can only share a database they can connect to,
# which SQLite's in-memory test database is not.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the processes need a shared PostgreSQL database"),
]

APPLICANTS = 24
# Every so many applicants post the same form to both web processes at once.
TWICE_EVERY = 4
SLOTS = 3
SEATS = 2
# Four bookers contend for each slot's two seats; some post their booking to both processes at once.
BOOKERS = 12
GRADUATES = 5
NAMES = ("김민지", "이서연", "박지훈", "최수아", "정하준", "강예린", "조민서", "윤도윤")
EMAIL_DOMAIN = "multiprocess.example.com"
QCLUSTER = [sys.executable, "manage.py", "qcluster"]
FIRST_MOBILE = 50_000_000  # 010-5000-0000 onwards: clear of the factories' numbers
MAIL_SEPARATOR = b"\n" + b"-" * 79 + b"\n"
WORK_TIMEOUT = 120.0
PASSWORD = "multiprocess-password"


@dataclass
class Visitor:
    """A browser: the cookies it was given; posts carry the CSRF token of its cookie."""

    cookies: dict[str, str] = field(default_factory=dict)

    def send(self, port: int, method: str, path: str, fields: dict | None = None) -> Response:
        """Send a request with the visitor's cookies, a form post when `fields` are given; keep the new cookies."""
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        body = None
        if fields is not None:
            # The cookie's secret is an accepted form token (Django takes masked and unmasked ones).
            body = urlencode({**fields, "csrfmiddlewaretoken": self.cookies["csrftoken"]}, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        response = request(port, method, path, body=body, headers=headers)
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.update({name: morsel.value for name, morsel in SimpleCookie(header).items()})
        return response

    def sign_in(self, port: int, user) -> None:
        """Sign `user` in to the Wagtail admin, with a password the servers' hashers can check."""
        # The test settings hash with MD5, which the production settings do not accept.
        hasher = PBKDF2PasswordHasher()
        user.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
        user.save(update_fields=["password"])
        assert self.send(port, "GET", "/admin/login/").status == 200
        response = self.send(port, "POST", "/admin/login/", {"username": user.username, "password": PASSWORD})
        assert response.status == 302, response.text()[:500]


@dataclass(frozen=True)
class Servers:
    """The ports of the two web processes, the folders the four processes write to, and the clusters."""

    web: tuple[int, int]
    var_dirs: tuple[Path, ...]
    workers: tuple[subprocess.Popen, ...]

    def emails(self) -> list[tuple[str, email.message.EmailMessage]]:
        """Return every email the processes wrote with the file backend, each with the name of its process."""
        messages = []
        for var_dir in self.var_dirs:
            for path in sorted((var_dir / "mail").glob("*.log")):
                for raw in path.read_bytes().split(MAIL_SEPARATOR):
                    if raw.strip():
                        messages.append((var_dir.name, email.message_from_bytes(raw, policy=email.policy.default)))
        return messages

    def log_problems(self) -> list[str]:
        """Return the lines of the servers' logs that tell of an error."""
        lines = [line for var_dir in self.var_dirs for line in (var_dir / "server.log").read_text().splitlines()]
        return [line for line in lines if "Traceback" in line or " ERROR " in line or "[ERROR]" in line]


def post_at_once(visitor: Visitor, posts: list[tuple[int, str, dict]]) -> list[Response]:
    """Send the form posts (port, path, fields) from parallel threads, each with a copy of the visitor's cookies."""
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda post: Visitor(dict(visitor.cookies)).send(post[0], "POST", *post[1:]), posts))


def mobile(serial: int) -> str:
    """Return the mobile of applicant `serial` as she types it: 010-5000-0000 onwards."""
    digits = f"{FIRST_MOBILE + serial:08d}"
    return f"010-{digits[:4]}-{digits[4:]}"


def application(form_data: dict, serial: int) -> dict:
    """Return the post of applicant `serial`: the valid application of the fixtures, with her own name and numbers."""
    return {
        **form_data,
        "name": NAMES[serial % len(NAMES)],
        "mobile": mobile(serial),
        "email": f"applicant-{serial}@{EMAIL_DOMAIN}",
    }


def graduates(cohort: Cohort, open_round, hana, first: int) -> None:
    """Enrol GRADUATES accepted applicants in the cohort through the services and graduate them."""
    for number in range(first, first + GRADUATES):
        enrollment = enrollment_enroll(cohort=cohort, applicant=make_accepted(open_round, number), actor=hana)
        make_graduate(enrollment, actor=hana)


@pytest.fixture
def cohorts(site, gangseo, open_round, hana):
    """Two cohorts whose training has ended, each of GRADUATES graduates without a certificate."""
    curriculum_install_default()
    made = []
    for number in (1, 2):
        cohort = Cohort.objects.create(
            number=number,
            branch=gangseo,
            curriculum=Curriculum.objects.get(),
            round=open_round,
            starts_on=timezone.localdate() - timedelta(weeks=15),
            capacity=GRADUATES,
        )
        graduates(cohort, open_round, hana, first=number * 100)
        made.append(cohort)
    return made


@pytest.fixture
def redis_url(tmp_path):
    """A Redis server of the test's own, so that flushing the page cache touches nobody else's data."""
    program = require_tool("redis-server", "redis-server")
    port = free_port()
    folder = tmp_path / "redis"
    folder.mkdir()
    command = [program, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no", "--dir", str(folder)]
    process = start(command, dict(os.environ), folder / "redis.log")
    client = redis.Redis(host=HOST, port=port)

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    try:
        wait_for(answers, timeout=30, message=f"redis-server did not start: {(folder / 'redis.log').read_text()}")
        yield f"redis://{HOST}:{port}/0"
    finally:
        client.close()
        stop(process)


@pytest.fixture
def servers(redis_url, tmp_path, cohorts):
    """Start two gunicorn instances and two clusters on the test database; stop them after the test."""
    names = ("web1", "web2", "worker1", "worker2")
    for name in names:
        (tmp_path / name).mkdir()
    env = production_env(
        tmp_path / "web1",
        DATABASE_URL=database_url(),
        REDIS_URL=redis_url,
        PAGE_CACHE_REDIS_DB="1",
        PRIVATE_MEDIA_ROOT=str(tmp_path / "private"),
        # The limits protect a real site from floods; here one address sends everything.
        RATE_LIMIT_APPLY_PER_ADDRESS="100000",
        RATE_LIMIT_APPLY_PER_MOBILE="100000",
        # One task at a time per cluster, so that each worker process writes emails to
        # files of its own folder; the two clusters still compete for every task.
        Q_WORKERS="1",
        LOG_LEVEL="INFO",
    )
    manage(["collectstatic", "--noinput"], env)
    for name in names[1:]:
        (tmp_path / name / "static").symlink_to(tmp_path / "web1" / "static")
    envs = {name: {**env, "VAR_DIR": str(tmp_path / name)} for name in names}

    webs, workers = [], []
    try:
        ports = (free_port(), free_port())
        for name, port in zip(names[:2], ports, strict=True):
            webs.append(start(gunicorn_command(port, "--workers=2"), envs[name], tmp_path / name / "server.log"))
        for name in names[2:]:
            workers.append(start(QCLUSTER, envs[name], tmp_path / name / "server.log"))
        for process, name, port in zip(webs, names[:2], ports, strict=True):
            wait_until_answering(process, port, tmp_path / name / "server.log")
        yield Servers(ports, tuple(tmp_path / name for name in names), tuple(workers))
    finally:
        # All at once: each takes a few seconds to finish what it holds.
        for process in webs + workers:
            process.terminate()
        for process in webs + workers:
            stop(process)


def test_two_web_processes_and_two_workers_keep_every_row_and_send_every_email_once(
    servers, site, form_data, apply_url, gangseo, cohorts, hana
):
    web1, web2 = servers.web
    started = timezone.now()
    visitor = Visitor()
    assert visitor.send(web1, "GET", apply_url).status == 200

    # Applications, alternately to each process; every fourth also to the other at the same moment.
    posts = []
    for serial in range(APPLICANTS):
        posts.append((servers.web[serial % 2], apply_url, application(form_data, serial)))
        if serial % TWICE_EVERY == 0:
            posts.append((servers.web[(serial + 1) % 2], apply_url, application(form_data, serial)))
    answers = post_at_once(visitor, posts)
    assert {(answer.status, answer.headers["Location"]) for answer in answers} == {(302, f"{apply_url}done/")}
    applicants = Applicant.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
    per_mobile = dict(applicants.order_by().values_list("mobile").annotate(rows=Count("pk")))
    assert len(per_mobile) == APPLICANTS
    assert set(per_mobile.values()) == {1}

    # Bookings: four applicants for each slot's two seats; every fourth posts to both processes at once.
    slots = [make_slot(gangseo, capacity=SEATS, days=3 + number) for number in range(SLOTS)]
    posts = []
    for number, applicant in enumerate(applicants.order_by("mobile")[:BOOKERS]):
        booking = (reverse("recruiting:status_book", args=[applicant.status_token]), {"slot": slots[number % SLOTS].pk})
        posts.append((servers.web[number % 2], *booking))
        if number % TWICE_EVERY == 0:
            posts.append((servers.web[(number + 1) % 2], *booking))
    assert {answer.status for answer in post_at_once(visitor, posts)} == {302}
    booked = Appointment.objects.filter(slot__in=slots, status=AppointmentStatus.BOOKED)
    assert dict(booked.order_by().values_list("slot").annotate(seats=Count("pk"))) == {slot.pk: SEATS for slot in slots}
    assert booked.values("applicant").distinct().count() == SLOTS * SEATS

    # HR starts the first cohort's certificates on both processes at once, the second's on one.
    hr = Visitor()
    hr.sign_in(web1, hana)
    first, second = cohorts
    batch_start = "cohorts:certificate_batch_start"
    posts = [(web1, reverse(batch_start, args=[first.pk]), {}), (web2, reverse(batch_start, args=[first.pk]), {})]
    posts.append((web2, reverse(batch_start, args=[second.pk]), {}))
    answers = post_at_once(hr, posts)
    assert {answer.status for answer in answers} == {302}
    assert answers[0].headers["Location"] == answers[1].headers["Location"]

    # A page cached by the second process, then published by an editor on the first.
    story = site["story"].specific
    assert visitor.send(web2, "GET", story.url).status == 200
    assert visitor.send(web2, "GET", story.url).headers["X-Wagtail-Cache"] == "hit"
    story.title = "새로 고친 이야기"
    story.save_revision()
    editor = Visitor()
    editor.sign_in(web1, make_staff("erin", Role.EDITOR))
    assert editor.send(web1, "POST", f"/admin/bulk/wagtailcore/page/publish/?id={story.pk}", {}).status == 302
    fresh = Visitor().send(web2, "GET", story.url)
    assert fresh.status == 200
    assert "새로 고친 이야기" in fresh.text()
    assert fresh.headers["X-Wagtail-Cache"] != "hit"

    # The workers send what was queued and issue the certificates.
    notifications = Notification.objects.filter(applicant__in=applicants)
    certificates = Certificate.objects.filter(enrollment__cohort__in=cohorts)

    def finished() -> bool:
        return (
            not notifications.filter(sent_at__isnull=True).exists()
            and not CertificateBatch.objects.exclude(status=BatchStatus.FINISHED).exists()
            and certificates.filter(emailed_at__isnull=False).count() == 2 * GRADUATES
        )

    wait_for(finished, timeout=WORK_TIMEOUT, message="the workers did not finish in time", interval=0.5)

    # One batch for the cohort started twice; one certificate per graduate, numbered without a gap.
    assert CertificateBatch.objects.filter(cohort=first).count() == 1
    assert certificates.filter(status=CertificateStatus.VALID).count() == 2 * GRADUATES
    assert certificates.values("enrollment").distinct().count() == 2 * GRADUATES
    assert sorted(certificates.values_list("serial", flat=True)) == list(range(1, 2 * GRADUATES + 1))

    # Every email once: one per notification and certificate, each claimed once, none repeated.
    assert notifications.count() == APPLICANTS + SLOTS * SEATS
    assert set(notifications.values_list("send_attempts", flat=True)) == {1}
    assert set(certificates.values_list("send_attempts", flat=True)) == {1}
    sent = servers.emails()
    expected = Counter(notifications.values_list("applicant__email", flat=True))
    expected.update(certificates.values_list("enrollment__applicant__email", flat=True))
    assert Counter(str(message["To"]) for _, message in sent) == expected
    assert len({(str(message["To"]), str(message["Subject"])) for _, message in sent}) == len(sent)
    # Both clusters took their share of the queue; the web processes queue, they never send.
    assert {process for process, _ in sent} == {"worker1", "worker2"}
    assert not Failure.objects.filter(stopped__gte=started).exists()
    assert servers.log_problems() == []
    assert [worker.poll() for worker in servers.workers] == [None, None]
