"""The branch manager's weekly digest: once per week to each branch manager, her own branch's figures of the
week before, retried when the mail server fails, and listed for HR while it has not gone.

The plan gives the 강서 consultant her customers on Monday 3 May 2027 at 10:00 (Seoul); the
job runs on Monday 10 May and sends the figures of 3 to 9 May.
"""

from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from assignments.models import BranchDigest, ContactKind, ContactOutcome, Customer
from assignments.services import (
    branch_digest_send,
    branch_digests_create,
    branch_digests_retry_due,
    contact_record,
)
from assignments.tests.workspace_fixtures import book_line, give_customers
from core.outbox import RETRY_PAUSES
from core.roles import Role
from recruiting.tests.factories import make_staff

pytestmark = pytest.mark.django_db
SEOUL = ZoneInfo("Asia/Seoul")
MONDAY = date(2027, 5, 10)
NEXT_MONDAY = date(2027, 5, 17)
SMTP_DOWN = mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("smtp down"))


def _seoul(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SEOUL)


def _with_email(user, address: str):
    user.email = address
    user.save(update_fields=["email"])
    return user


def _create(today: date, capture) -> int:
    """Run the weekly job on `today` and the sending it queues after commit."""
    with capture(execute=True):
        return branch_digests_create(today=today)


def _to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


@pytest.fixture
def managers(mina, bob):
    """Mina manages 강서, bob another branch; both have an email."""
    return _with_email(mina, "mina@example.com"), _with_email(bob, "bob@example.com")


@pytest.fixture
def customers(member, hana) -> list[Customer]:
    with time_machine.travel(_seoul(date(2027, 5, 3))):
        return give_customers(member, [book_line(number) for number in range(1, 5)], actor=hana)


def _contact(member, customer, when: datetime, **fields) -> None:
    values = {"kind": ContactKind.CALL, "reached": True} | fields
    with time_machine.travel(when):
        contact_record(consultant=member, customer=customer, **values)


@pytest.fixture
def worked(member, customers):
    """A visit that kept a renewal, a call with a complaint, a call unanswered; a message after the week."""
    first, second, third, fourth = customers
    _contact(member, first, _seoul(date(2027, 5, 4)), kind=ContactKind.VISIT, outcome=ContactOutcome.RENEWAL_KEPT)
    _contact(member, second, _seoul(date(2027, 5, 7)), outcome=ContactOutcome.COMPLAINT)
    _contact(member, fourth, _seoul(date(2027, 5, 5)), reached=False)
    _contact(member, third, _seoul(MONDAY, 7), kind=ContactKind.MESSAGE)
    return customers


class TestOncePerWeek:
    def test_it_sends_the_digest_once_per_week(self, managers, django_capture_on_commit_callbacks):
        mina, bob = managers
        mail.outbox.clear()

        assert _create(MONDAY, django_capture_on_commit_callbacks) == 2
        assert _create(MONDAY, django_capture_on_commit_callbacks) == 0
        assert _create(MONDAY + timedelta(days=3), django_capture_on_commit_callbacks) == 0, "later the same week"

        assert (len(_to(mina.email)), len(_to(bob.email))) == (1, 1)
        assert BranchDigest.objects.filter(week_of=date(2027, 5, 3), sent_at__isnull=False).count() == 2

        assert _create(NEXT_MONDAY, django_capture_on_commit_callbacks) == 2
        assert (len(_to(mina.email)), len(_to(bob.email))) == (2, 2)
        weeks = BranchDigest.objects.order_by("week_of").values_list("week_of", flat=True).distinct()
        assert list(weeks) == [date(2027, 5, 3), date(2027, 5, 10)]

    def test_a_manager_without_email_or_inactive_and_other_roles_get_none(
        self, managers, alice, gangseo, hana, django_capture_on_commit_callbacks
    ):
        make_staff("nora", Role.BRANCH_MANAGER, gangseo)  # no email
        ivy = _with_email(make_staff("ivy", Role.BRANCH_MANAGER, gangseo), "ivy@example.com")
        ivy.is_active = False
        ivy.save(update_fields=["is_active"])
        _with_email(make_staff("noel", Role.BRANCH_MANAGER), "noel@example.com")  # no branch of her own
        _with_email(alice, "alice@example.com")
        _with_email(hana, "hana@example.com")
        mail.outbox.clear()

        assert _create(MONDAY, django_capture_on_commit_callbacks) == 2

        assert sorted(message.to[0] for message in mail.outbox) == ["bob@example.com", "mina@example.com"]

    def test_a_manager_who_left_the_branch_before_it_went_is_not_sent_it(self, managers):
        mina, _bob = managers
        branch_digests_create(today=MONDAY)  # queued, not sent: the test's transaction never commits
        digest = BranchDigest.objects.get(recipient=mina)
        mina.is_active = False
        mina.save(update_fields=["is_active"])
        mail.outbox.clear()

        assert branch_digest_send(digest_id=digest.pk) is False

        assert mail.outbox == []
        digest.refresh_from_db()
        assert (digest.sent_at, digest.send_next_attempt_at, digest.send_error) == (None, None, "")


class TestTheEmail:
    def test_each_manager_gets_her_own_branch_s_figures_of_last_week(
        self, managers, member, worked, settings, django_capture_on_commit_callbacks
    ):
        settings.SITE_URL = "https://cs.example.kr"
        mail.outbox.clear()

        with time_machine.travel(_seoul(MONDAY, 8)):
            _create(MONDAY, django_capture_on_commit_callbacks)

        [message] = _to("mina@example.com")
        assert message.subject == "[지점0CS지점] 주간 현황 — 5월 3일 (월) ~ 5월 9일 (일)"
        text, html = message.body, message.alternatives[0][0]
        assert "2027년 5월 3일부터 2027년 5월 9일까지" in text
        # Given on the 3rd: two reached in the week, two still within the deadline (the 10th);
        # the message of Monday the 10th belongs to the next week.
        assert "7일 안에 첫 연락: 2/2 (100%) · 기한 안 2명" in text
        assert "연락률: 50% (고객 4명 중 2명과 연락됨)" in text
        assert "방문 · 전화 · 메시지: 1 · 2 · 0" in text
        assert "갱신 유지: 1" in text
        assert "불만: 1 · 다른 컨설턴트 요청: 0건" in text
        assert "기한 지나도록 연락 없음: 0" in text
        assert "월말 고아계약 위험: 0" in text
        assert f"- {member}: 고객 4 | 연락률 50% | 기한 내 첫 연락 2/2 (100%)" in text
        assert str(member) in html
        assert "https://cs.example.kr/admin/branch-dashboard/" in text
        assert 'href="https://cs.example.kr/admin/branch-dashboard/"' in html
        # Korean words stay whole in the narrow columns of a mail reader (headings broke mid-word).
        assert "word-break: keep-all" in html.split("<body", 1)[1].split(">", 1)[0]

        [other] = _to("bob@example.com")
        assert other.subject.startswith("[지점1CS지점] 주간 현황")
        assert str(member) not in other.body
        assert "이 지점에는 아직 풀에 든 컨설턴트가 없습니다." in other.body

    def test_it_holds_no_customer_s_data(self, managers, worked, django_capture_on_commit_callbacks):
        mail.outbox.clear()

        _create(MONDAY, django_capture_on_commit_callbacks)

        [message] = _to("mina@example.com")
        everything = message.subject + message.body + message.alternatives[0][0]
        for customer in Customer.objects.all():
            assert customer.name not in everything
            assert customer.number not in everything
            assert customer.mobile[-4:] not in everything
            assert customer.address not in everything


class TestRetry:
    def test_a_failed_send_is_retried_and_then_sent_once(self, managers, django_capture_on_commit_callbacks):
        mina, _bob = managers
        mail.outbox.clear()

        with SMTP_DOWN:
            assert _create(MONDAY, django_capture_on_commit_callbacks) == 2
        digest = BranchDigest.objects.get(recipient=mina)
        assert (digest.sent_at, digest.send_attempts, digest.send_error) == (None, 1, "smtp down")
        assert mail.outbox == []

        assert branch_digests_retry_due() == 0, "not due yet"
        later = timezone.now() + RETRY_PAUSES[0] + timedelta(seconds=1)
        assert branch_digests_retry_due(now=later) == 2
        assert branch_digests_retry_due(now=later + timedelta(days=1)) == 0
        assert _create(MONDAY, django_capture_on_commit_callbacks) == 0

        assert len(_to(mina.email)) == 1
        digest.refresh_from_db()
        assert digest.sent_at is not None
        assert (digest.send_attempts, digest.send_error, digest.send_next_attempt_at) == (2, "", None)

    def test_hr_sees_a_failed_digest_and_sends_it_again(
        self, client, managers, hana, django_capture_on_commit_callbacks
    ):
        mina, _bob = managers
        with SMTP_DOWN:
            _create(MONDAY, django_capture_on_commit_callbacks)
        digest = BranchDigest.objects.get(recipient=mina)
        client.force_login(hana)

        listing = client.get("/admin/unsent-emails/").content.decode()
        assert f"/admin/unsent-emails/branch-digests/{digest.pk}/" in listing
        assert "mina · 지점0" in listing
        assert client.get(f"/admin/unsent-emails/branch-digests/{digest.pk}/").status_code == 200
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/admin/unsent-emails/branch-digests/{digest.pk}/")

        assert response.status_code == 302
        assert len(_to(mina.email)) == 1
        digest.refresh_from_db()
        assert digest.sent_at is not None
        assert digest.resent_by == hana
        listing = client.get("/admin/unsent-emails/").content.decode()
        assert f"/admin/unsent-emails/branch-digests/{digest.pk}/" not in listing


class TestSchedule:
    def test_the_weekly_job_is_installed_once_by_setup(self, db):
        call_command("setup", verbosity=0)
        call_command("setup", verbosity=0)

        weekly = Schedule.objects.get(name="branch digests")
        assert (weekly.func, weekly.schedule_type) == ("assignments.tasks.branch_digests_create", Schedule.WEEKLY)
        first_run = timezone.localtime(weekly.next_run)
        assert (first_run.weekday(), first_run.hour, first_run.minute) == (0, 8, 0)
        retries = Schedule.objects.get(name="branch digest retries")
        assert (retries.func, retries.schedule_type, retries.minutes) == (
            "assignments.tasks.branch_digests_retry_due",
            Schedule.MINUTES,
            5,
        )
