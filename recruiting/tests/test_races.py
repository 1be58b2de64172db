"""Races settled by PostgreSQL: row locks and unique constraints (SQLite serialises writers)."""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from core.tests.concurrency import in_parallel
from recruiting import errors, services
from recruiting.models import Applicant, ApplicantStatus, Notification, RejectionReason
from recruiting.tests.factories import make_applicant, walk_to
from recruiting.tests.test_appointments import make_slot

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's locking"),
]
CLIENTS = 10


def test_ten_simultaneous_submits_make_one_applicant(apply_url, form_data, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "apply:address": (100, 3600), "apply:mobile": (100, 3600)}
    responses = in_parallel(lambda i: Client(REMOTE_ADDR=f"10.0.0.{i}").post(apply_url, form_data), count=CLIENTS)
    assert [getattr(r, "status_code", r) for r in responses] == [302] * CLIENTS
    assert Applicant.objects.count() == 1
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_notification_sent_by_two_workers_at_once_goes_out_once(open_round):
    notification = Notification.objects.get(applicant=make_applicant(open_round))
    # Outside a test transaction the confirmation went out at commit; send it "again".
    Notification.objects.update(sent_at=None)
    mail.outbox.clear()
    results = in_parallel(lambda i: services.notification_send(notification_id=notification.pk), count=4)
    assert sorted(results, key=str) == [False, False, False, True]
    assert len(mail.outbox) == 1


def test_two_staff_deciding_at_once_one_wins_and_the_other_is_told(open_round, roles):
    applicant = make_applicant(open_round)
    walk_to(applicant, ApplicantStatus.INTERVIEW)
    history = list(applicant.events.values_list("to_status", flat=True))
    notices = Notification.objects.filter(event__isnull=False).count()
    decisions = [
        lambda: services.applicant_accept(applicant=applicant, actor=None, expected_status=ApplicantStatus.INTERVIEW),
        lambda: services.applicant_reject(
            applicant=applicant, actor=None, reason=RejectionReason.INTERVIEW, expected_status=ApplicantStatus.INTERVIEW
        ),
    ]
    results = in_parallel(lambda i: decisions[i](), count=2)
    winners = [r for r in results if isinstance(r, Applicant)]
    losers = [r for r in results if isinstance(r, errors.ApplicationError)]
    assert len(winners) == 1, results
    assert len(losers) == 1, results
    final = Applicant.objects.get(pk=applicant.pk)
    assert final.status == winners[0].status
    assert str(losers[0]).startswith("방금 다른 담당자가 이 지원서를 처리했습니다.")
    # One decision, one event, one notice.
    assert list(final.events.values_list("to_status", flat=True)) == [*history, final.status]
    assert Notification.objects.filter(event__isnull=False).count() == notices + 1


def test_ten_applicants_booking_three_seats_at_once_get_exactly_three(open_round, gangseo):

    slot = make_slot(gangseo, capacity=3)
    applicants = [
        make_applicant(open_round, mobile=f"0109999{i:04d}", email=f"r{i}@example.com") for i in range(CLIENTS)
    ]
    results = in_parallel(lambda i: services.appointment_book(applicant=applicants[i], slot=slot), count=CLIENTS)
    booked = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, errors.ApplicationError)]
    assert len(booked) == 3
    assert len(refused) == CLIENTS - 3
    assert all("방금 마감되었습니다" in str(error) for error in refused)
    assert slot.appointments.filter(status="booked").count() == 3
