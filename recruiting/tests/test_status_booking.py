"""Choosing, moving and cancelling a consultation on the applicant's status page (a phone, 360 px)."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import formats, timezone

from recruiting import services
from recruiting.models import Appointment, AppointmentStatus
from recruiting.tests.factories import make_applicant
from recruiting.tests.test_appointments import make_slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def seoyeon(open_round):
    applicant = make_applicant(open_round)
    mail.outbox.clear()
    return applicant


def _status(client, applicant) -> str:
    return client.get(reverse("recruiting:status", args=[applicant.status_token])).content.decode()


def test_times_are_grouped_under_their_day_in_korean_order(client, seoyeon, gangseo):
    for days, hour in [(2, 10), (2, 14), (3, 10)]:
        make_slot(gangseo, days=days, hour=hour)
    html = _status(client, seoyeon)
    first_day = make_slot(gangseo, days=2, hour=9).starts_at  # only to name the day
    heading = formats.date_format(timezone.localtime(first_day), "MONTH_DAY_FORMAT")
    assert html.count(f"<legend>{heading}</legend>") == 1
    assert html.count('class="slot-day"') == 2
    assert "오전 10:00" in html
    assert "오후 2:00" in html
    assert "10:00 오전" not in html
    assert "button--primary" in html.split('name="slot"')[-1]


def test_cancelling_asks_first(client, seoyeon, gangseo, django_capture_on_commit_callbacks):
    appointment = services.appointment_book(applicant=seoyeon, slot=make_slot(gangseo))
    url = reverse("recruiting:status_cancel_appointment", args=[seoyeon.status_token, appointment.pk])
    confirm = client.get(url).content.decode()
    assert "예약을 취소할까요?" in confirm
    assert "오전 10:00" in confirm
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.BOOKED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.CANCELLED


def test_moving_to_the_same_time_says_nothing_changed(client, seoyeon, gangseo, django_capture_on_commit_callbacks):
    slot = make_slot(gangseo)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = services.appointment_book(applicant=seoyeon, slot=slot)
    mail.outbox.clear()
    html = _status(client, seoyeon)
    # Her own time is offered, marked and chosen, although its only seat is hers.
    assert "내 예약" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("recruiting:status_book", args=[seoyeon.status_token]), {"slot": slot.pk}, follow=True
        )
    assert "이미 예약한 시간이라 바뀐 것이 없습니다" in response.content.decode()
    appointment.refresh_from_db()
    assert (appointment.slot, appointment.sequence) == (slot, 0)
    assert mail.outbox == []
