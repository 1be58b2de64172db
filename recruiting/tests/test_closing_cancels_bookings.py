"""Withdrawing, a rejection and a deletion request free every future seat of the applicant."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from recruiting import services
from recruiting.models import Appointment, AppointmentStatus, Notification, NotificationKind, Slot, SlotKind
from recruiting.tests.factories import make_applicant
from recruiting.tests.test_appointments import make_slot

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = pytest.mark.usefixtures("module_site")


@pytest.fixture
def booked(open_round, gangseo, django_capture_on_commit_callbacks):
    """Seoyeon, with a consultation booked the day after tomorrow; her outbox emptied."""
    with django_capture_on_commit_callbacks(execute=True):
        applicant = make_applicant(open_round)
        appointment = services.appointment_book(applicant=applicant, slot=make_slot(gangseo, days=2))
    mail.outbox.clear()
    return applicant, appointment


def _close(how: str, applicant, actor):
    if how == "withdraw":
        services.applicant_withdraw(applicant=applicant, note="철회")
    elif how == "staff_withdraw":
        services.applicant_withdraw(applicant=applicant, actor=actor, note="전화로 철회")
    elif how == "reject":
        services.applicant_reject(applicant=applicant, actor=actor, reason="schedule")
    elif how == "delete":
        services.applicant_request_deletion(applicant=applicant)


def _cancels(message) -> list[Calendar]:
    return [
        Calendar.from_ical(content)
        for _name, content, mimetype in message.attachments
        if mimetype == "text/calendar" and Calendar.from_ical(content)["METHOD"] == "CANCEL"
    ]


@pytest.mark.parametrize("how", ["withdraw", "staff_withdraw", "reject", "delete"])
def test_closing_an_application_frees_the_seat_and_says_so_in_one_email(
    booked, alice, how, django_capture_on_commit_callbacks
):
    applicant, appointment = booked
    with django_capture_on_commit_callbacks(execute=True):
        _close(how, applicant, alice)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.sequence == 1
    assert Slot.objects.with_free_seats().filter(pk=appointment.slot_id).exists()
    # One email: the outcome, which also cancels the calendar invitation.
    (message,) = mail.outbox
    assert "상담" in message.body
    assert "취소" in message.body
    (cancel,) = _cancels(message)
    (event,) = cancel.walk("VEVENT")
    assert (event["SEQUENCE"], str(event["STATUS"])) == (1, "CANCELLED")
    assert not Notification.objects.filter(kind=NotificationKind.APPOINTMENT_CANCELLED).exists()


def test_a_past_booking_is_left_alone_and_not_cancelled_by_email(booked, alice, django_capture_on_commit_callbacks):
    applicant, appointment = booked
    Slot.objects.filter(pk=appointment.slot_id).update(starts_at=timezone.now() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.applicant_reject(applicant=applicant, actor=alice, reason="schedule")
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.BOOKED
    (message,) = mail.outbox
    assert _cancels(message) == []
    assert "취소" not in message.body


def test_a_reminder_queued_before_the_withdrawal_is_never_sent(booked, django_capture_on_commit_callbacks):
    applicant, appointment = booked
    Slot.objects.filter(pk=appointment.slot_id).update(starts_at=appointment.slot.starts_at - timedelta(days=1))
    # The reminder is queued, but the worker has not run it yet.
    assert services.appointment_reminders_send() == 1
    reminder = Notification.objects.get(kind=NotificationKind.APPOINTMENT_REMINDER)
    with django_capture_on_commit_callbacks(execute=True):
        services.applicant_withdraw(applicant=applicant)
    mail.outbox.clear()
    assert services.notification_send(notification_id=reminder.pk) is False
    assert mail.outbox == []
    assert services.appointment_reminders_send() == 0


def test_the_status_page_then_shows_no_booking_and_offers_none(client, booked, gangseo):
    applicant, appointment = booked
    make_slot(gangseo, days=4)
    client.post(reverse("recruiting:status_withdraw", args=[applicant.status_token]))
    html = client.get(reverse("recruiting:status", args=[applicant.status_token])).content.decode()
    assert "철회" in html
    assert "나의 예약" not in html
    assert "상담 예약하기" not in html
    assert 'name="slot"' not in html


def test_an_interview_booking_is_cancelled_too(booked, alice, gangseo, django_capture_on_commit_callbacks):
    applicant, consultation = booked
    with django_capture_on_commit_callbacks(execute=True):
        services.applicant_mark_consulted(applicant=applicant, actor=alice)
        interview_slot = make_slot(gangseo, days=5, kind=SlotKind.INTERVIEW)
        services.appointment_book(applicant=applicant, slot=interview_slot)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.applicant_reject(applicant=applicant, actor=alice, reason="interview")
    statuses = dict(Appointment.objects.values_list("kind", "status"))
    assert statuses == {"consultation": "cancelled", "interview": "cancelled"}
    (message,) = mail.outbox
    assert len(_cancels(message)) == 2
