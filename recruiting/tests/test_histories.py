"""Every status change of recruiting goes through the state helper and leaves one history row with its actor."""

import pytest

from core.states import state_change
from recruiting import services
from recruiting.errors import ApplicationError
from recruiting.models import ApplicantEvent, AppointmentEvent, AppointmentStatus, Slot
from recruiting.pipeline import ApplicantStatus
from recruiting.tests.factories import make_applicant, make_slot, walk_to

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = pytest.mark.usefixtures("module_site")


@pytest.fixture
def seoyeon(open_round):
    return make_applicant(open_round)


def _history(appointment) -> list[tuple[str, str, object]]:
    return [(e.from_status, e.to_status, e.actor) for e in appointment.events.order_by("pk")]


def test_it_starts_an_application_with_its_first_status(seoyeon):
    event = seoyeon.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", ApplicantStatus.SUBMITTED, None)


def test_a_booking_starts_the_appointments_history_and_a_move_is_an_event_with_a_note(seoyeon, gangseo, alice):
    first, second = make_slot(gangseo, days=2), make_slot(gangseo, days=3)
    appointment = services.appointment_book(applicant=seoyeon, slot=first, actor=alice)
    services.appointment_book(applicant=seoyeon, slot=second, actor=alice)
    booked = AppointmentStatus.BOOKED
    assert _history(appointment) == [("", booked, alice), (booked, booked, alice)]
    assert appointment.events.last().note == f"{first}에서 {second}(으)로 옮겼습니다."


def test_an_appointment_cancel_writes_its_history_with_the_actor(seoyeon, gangseo, alice):
    appointment = services.appointment_book(applicant=seoyeon, slot=make_slot(gangseo), actor=alice)
    services.appointment_cancel(appointment=appointment, actor=alice)
    appointment.refresh_from_db()
    assert (appointment.status, appointment.sequence) == (AppointmentStatus.CANCELLED, 1)
    assert _history(appointment)[-1] == (AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED, alice)
    # The applicant's timeline keeps its note of the cancellation, and the stage goes back to 접수.
    latest = seoyeon.events.latest("pk")
    assert (latest.from_status, latest.to_status, latest.actor) == (
        ApplicantStatus.CONSULTATION_BOOKED,
        ApplicantStatus.SUBMITTED,
        alice,
    )


def test_a_withdrawal_cancels_the_bookings_to_come_in_their_history(seoyeon, gangseo, alice):
    appointment = services.appointment_book(applicant=seoyeon, slot=make_slot(gangseo))
    services.applicant_withdraw(applicant=seoyeon, actor=alice)
    appointment.refresh_from_db()
    withdrawal = seoyeon.events.get(
        from_status=ApplicantStatus.CONSULTATION_BOOKED, to_status=ApplicantStatus.WITHDRAWN
    )
    assert appointment.cancelled_with == withdrawal
    assert _history(appointment)[-1] == (AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED, alice)
    assert seoyeon.events.latest("pk").note == f"{appointment.slot} 취소."


def test_an_illegal_move_raises_and_writes_nothing(seoyeon, gangseo, alice):
    appointment = services.appointment_book(applicant=seoyeon, slot=make_slot(gangseo))
    services.appointment_cancel(appointment=appointment)
    events = AppointmentEvent.objects.count()
    with pytest.raises(ApplicationError):
        state_change(appointment, to=AppointmentStatus.BOOKED, actor=alice)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert AppointmentEvent.objects.count() == events

    walk_to(seoyeon, ApplicantStatus.WITHDRAWN)
    applicant_events = ApplicantEvent.objects.count()
    with pytest.raises(ApplicationError, match="'철회' 단계의 지원서는 '합격'"):
        services.applicant_accept(applicant=seoyeon, actor=alice)
    assert ApplicantEvent.objects.count() == applicant_events


def test_a_move_on_a_stale_status_is_refused(seoyeon, alice, hana):
    walk_to(seoyeon, ApplicantStatus.CONSULTATION_BOOKED)
    services.applicant_withdraw(applicant=seoyeon, actor=hana)
    events = ApplicantEvent.objects.count()
    with pytest.raises(ApplicationError, match="방금 다른 담당자가 이 지원서를 처리했습니다"):
        services.applicant_mark_consulted(
            applicant=seoyeon, actor=alice, expected_status=ApplicantStatus.CONSULTATION_BOOKED
        )
    assert ApplicantEvent.objects.count() == events


def test_a_slots_seats_cannot_go_below_its_bookings(open_round, gangseo):
    slot = make_slot(gangseo, capacity=2)
    for number in range(2):
        services.appointment_book(applicant=make_applicant(open_round, mobile=f"0107777000{number}"), slot=slot)
    slot.capacity = 1
    with pytest.raises(ApplicationError) as refused:
        services.slot_update(slot=slot, changed=["capacity"])
    assert str(refused.value) == "2명이 이 시간을 예약했습니다. 정원을 그보다 줄일 수 없습니다."
    assert refused.value.field == "capacity"
    assert Slot.objects.get(pk=slot.pk).capacity == 2
    slot.capacity = 3
    services.slot_update(slot=slot, changed=["capacity"])
    assert Slot.objects.get(pk=slot.pk).capacity == 3


def test_a_booked_slot_keeps_its_time_and_place(seoyeon, gangseo):
    slot = make_slot(gangseo)
    services.appointment_book(applicant=seoyeon, slot=slot)
    slot.place = "다른 방"
    with pytest.raises(ApplicationError, match="이제 정원만 바꿀 수 있습니다"):
        services.slot_update(slot=slot, changed=["place"])
    assert Slot.objects.get(pk=slot.pk).place == "5층 상담실"
