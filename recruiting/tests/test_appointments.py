"""Consultation and interview slots: booking, moving, cancelling, invitations and reminders."""

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule
from icalendar import Calendar

from recruiting import services
from recruiting.errors import ApplicationError
from recruiting.models import (
    Applicant,
    ApplicantStatus,
    Appointment,
    AppointmentStatus,
    Branch,
    Notification,
    NotificationKind,
    Slot,
    SlotKind,
)
from recruiting.tests.factories import make_applicant, walk_to


def make_slot(branch: Branch, *, days: int = 3, hour: int = 10, capacity: int = 1, kind=SlotKind.CONSULTATION) -> Slot:
    starts_at = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(hour)))
    return Slot.objects.create(
        branch=branch, kind=kind, starts_at=starts_at, place="강서CS지점 5층 상담실", capacity=capacity
    )


@pytest.fixture
def seoyeon(open_round):
    applicant = make_applicant(open_round)
    mail.outbox.clear()
    return applicant


def _calendar(message) -> Calendar:
    (attachment,) = message.attachments
    filename, content, mimetype = attachment
    assert (filename, mimetype) == ("invite.ics", "text/calendar")
    return Calendar.from_ical(content)


def _book(capture, **kwargs) -> Appointment:
    with capture(execute=True):
        return services.appointment_book(**kwargs)


def test_booking_a_consultation_moves_the_stage_and_sends_an_invitation(
    seoyeon, gangseo, alice, django_capture_on_commit_callbacks
):
    slot = make_slot(gangseo)
    appointment = _book(django_capture_on_commit_callbacks, applicant=seoyeon, slot=slot, actor=alice)
    seoyeon.refresh_from_db()
    assert seoyeon.status == ApplicantStatus.CONSULTATION_BOOKED
    event = seoyeon.events.latest("pk")
    assert (event.from_status, event.to_status, event.actor) == ("submitted", "consultation_booked", alice)
    (message,) = mail.outbox
    assert message.subject == "[CS RC] 예약이 확정되었습니다"
    assert "강서CS지점 5층 상담실" in message.body
    calendar = _calendar(message)
    assert calendar["METHOD"] == "REQUEST"
    (invite,) = calendar.walk("VEVENT")
    assert invite["SEQUENCE"] == 0
    assert invite.decoded("DTSTART") == timezone.localtime(slot.starts_at)
    # The street address comes first, so a calendar app can find it on a map; the phone is in the description.
    assert str(invite["LOCATION"]) == f"{gangseo.address}, 강서CS지점 5층 상담실"
    assert gangseo.phone in str(invite["DESCRIPTION"])
    assert gangseo.address in message.body
    assert gangseo.phone in message.body
    assert "오전 10:00" in message.body
    assert str(invite["UID"]) == f"appointment-{appointment.pk}@127.0.0.1"


def test_moving_a_booking_updates_the_same_calendar_event(seoyeon, gangseo, django_capture_on_commit_callbacks):
    first, second = make_slot(gangseo, hour=10), make_slot(gangseo, hour=14)
    appointment = _book(django_capture_on_commit_callbacks, applicant=seoyeon, slot=first)
    moved = _book(django_capture_on_commit_callbacks, applicant=seoyeon, slot=second)
    assert moved.pk == appointment.pk
    assert (moved.slot, moved.sequence) == (second, 1)
    assert Appointment.objects.filter(slot=first, status=AppointmentStatus.BOOKED).count() == 0
    assert mail.outbox[-1].subject == "[CS RC] 예약 일정이 바뀌었습니다"
    (invite,) = _calendar(mail.outbox[-1]).walk("VEVENT")
    assert (invite["SEQUENCE"], str(invite["UID"])) == (1, f"appointment-{appointment.pk}@127.0.0.1")
    assert Applicant.objects.get(pk=seoyeon.pk).status == ApplicantStatus.CONSULTATION_BOOKED


def test_booking_the_same_time_twice_changes_nothing(seoyeon, gangseo, django_capture_on_commit_callbacks):
    slot = make_slot(gangseo)
    first = _book(django_capture_on_commit_callbacks, applicant=seoyeon, slot=slot)
    again = _book(django_capture_on_commit_callbacks, applicant=seoyeon, slot=slot)
    assert (again.pk, again.sequence) == (first.pk, 0)
    assert len(mail.outbox) == 1


def test_cancelling_a_consultation_returns_the_application_to_submitted(
    seoyeon, gangseo, django_capture_on_commit_callbacks
):
    appointment = _book(django_capture_on_commit_callbacks, applicant=seoyeon, slot=make_slot(gangseo))
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_cancel(appointment=appointment)
    assert Applicant.objects.get(pk=seoyeon.pk).status == ApplicantStatus.SUBMITTED
    assert mail.outbox[-1].subject == "[CS RC] 예약이 취소되었습니다"
    calendar = _calendar(mail.outbox[-1])
    assert calendar["METHOD"] == "CANCEL"
    assert calendar.walk("VEVENT")[0]["SEQUENCE"] == 1


def test_an_interview_booking_moves_a_consulted_applicant_to_interview(
    seoyeon, gangseo, django_capture_on_commit_callbacks
):
    walk_to(seoyeon, ApplicantStatus.CONSULTED)
    _book(django_capture_on_commit_callbacks, applicant=seoyeon, slot=make_slot(gangseo, kind=SlotKind.INTERVIEW))
    assert Applicant.objects.get(pk=seoyeon.pk).status == ApplicantStatus.INTERVIEW
    # The booking confirmation is the invitation: no second, generic interview email.
    assert [m.subject for m in mail.outbox] == ["[CS RC] 예약이 확정되었습니다"]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("full", "방금 마감되었습니다"),
        ("other_branch", "다른 지점의 시간입니다."),
        ("past", "이미 지난 시간입니다."),
        ("interview_too_early", "'접수' 단계의 지원서는 '면접' 일정을 예약할 수 없습니다."),
        ("withdrawn", "'철회' 단계의 지원서는 '상담' 일정을 예약할 수 없습니다."),
    ],
)
def test_it_refuses_bookings_the_rules_do_not_allow(seoyeon, gangseo, open_round, setup, message):
    slot = make_slot(gangseo)
    if setup == "full":
        services.appointment_book(applicant=make_applicant(open_round, mobile="01099990000"), slot=slot)
    elif setup == "other_branch":
        slot = make_slot(Branch.objects.get(slug="branch-1"))
    elif setup == "past":
        Slot.objects.filter(pk=slot.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    elif setup == "interview_too_early":
        slot = make_slot(gangseo, kind=SlotKind.INTERVIEW)
    elif setup == "withdrawn":
        walk_to(seoyeon, ApplicantStatus.WITHDRAWN)
    with pytest.raises(ApplicationError, match=message):
        services.appointment_book(applicant=seoyeon, slot=slot)
    assert not Appointment.objects.filter(applicant=seoyeon).exists()


class TestStatusPage:
    def _url(self, applicant, action=""):
        return f"/status/{applicant.status_token}/{action}"

    def test_it_offers_the_free_times_of_the_branch_and_books_one(self, client, seoyeon, gangseo, open_round):
        free = make_slot(gangseo, hour=10)
        full = make_slot(gangseo, hour=11)
        services.appointment_book(applicant=make_applicant(open_round, mobile="01099990000"), slot=full)
        make_slot(Branch.objects.get(slug="branch-1"), hour=12)
        page = client.get(self._url(seoyeon))
        slots = list(page.context["booking_form"].fields["slot"].queryset)
        assert slots == [free]
        response = client.post(self._url(seoyeon, "book/"), {"slot": free.pk})
        assert response.status_code == 302
        assert Appointment.objects.get(applicant=seoyeon).slot == free
        page = client.get(self._url(seoyeon)).content.decode()
        assert "강서CS지점 5층 상담실" in page
        assert page.count("이 예약 취소") == 1

    @pytest.mark.parametrize("slot_value", ["", "abc", "999999", "1 OR 1=1", "other_branch", "full"])
    def test_bad_choices_are_refused_with_a_message(self, client, seoyeon, gangseo, open_round, slot_value):
        if slot_value == "other_branch":
            slot_value = make_slot(Branch.objects.get(slug="branch-1")).pk
        elif slot_value == "full":
            full = make_slot(gangseo)
            services.appointment_book(applicant=make_applicant(open_round, mobile="01099990000"), slot=full)
            slot_value = full.pk
        response = client.post(self._url(seoyeon, "book/"), {"slot": slot_value}, follow=True)
        assert any(
            text in response.content.decode() for text in ("시간을 고르세요.", "그 시간은 더 이상 예약할 수 없습니다")
        )
        assert not Appointment.objects.filter(applicant=seoyeon).exists()

    def test_an_applicant_cannot_cancel_someone_elses_appointment(self, client, seoyeon, gangseo, open_round):
        other = make_applicant(open_round, mobile="01099990000")
        appointment = services.appointment_book(applicant=other, slot=make_slot(gangseo))
        response = client.post(self._url(seoyeon, f"appointments/{appointment.pk}/cancel/"))
        assert response.status_code == 404
        assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.BOOKED

    def test_the_applicant_cancels_their_consultation(self, client, seoyeon, gangseo):
        appointment = services.appointment_book(applicant=seoyeon, slot=make_slot(gangseo))
        client.post(self._url(seoyeon, f"appointments/{appointment.pk}/cancel/"))
        assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.CANCELLED
        assert Applicant.objects.get(pk=seoyeon.pk).status == ApplicantStatus.SUBMITTED


class TestReminders:
    def test_it_reminds_tomorrows_bookings_once(self, seoyeon, gangseo, open_round, django_capture_on_commit_callbacks):
        tomorrow = services.appointment_book(applicant=seoyeon, slot=make_slot(gangseo, days=1))
        other = make_applicant(open_round, mobile="01099990000")
        services.appointment_book(applicant=other, slot=make_slot(gangseo, days=2))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert services.appointment_reminders_send() == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert services.appointment_reminders_send() == 0
        (message,) = mail.outbox
        assert message.to == [seoyeon.email]
        assert message.subject == "[CS RC] 내일 예약을 알려 드립니다"
        assert Notification.objects.get(kind=NotificationKind.APPOINTMENT_REMINDER).appointment == tomorrow

    def test_a_reminder_of_a_cancelled_booking_is_not_sent(self, seoyeon, gangseo, django_capture_on_commit_callbacks):
        appointment = services.appointment_book(applicant=seoyeon, slot=make_slot(gangseo, days=1))
        services.appointment_reminders_send()
        services.appointment_cancel(appointment=appointment)
        notification = Notification.objects.get(kind=NotificationKind.APPOINTMENT_REMINDER)
        mail.outbox.clear()
        assert services.notification_send(notification_id=notification.pk) is False
        assert mail.outbox == []

    def test_the_daily_schedules_are_created_once_by_name(self, db):
        call_command("setup", verbosity=0)
        call_command("setup", verbosity=0)
        schedules = list(Schedule.objects.values_list("name", "func"))
        assert len(schedules) == len(dict(schedules)), "one schedule per name"
        # The other apps' jobs are pinned by their own tests.
        assert {"appointment reminders", "personal data retention", "attendance warnings", "pool release"} <= set(
            dict(schedules)
        )
        assert dict(schedules)["appointment reminders"] == "recruiting.tasks.appointment_reminders_send"
        assert dict(schedules)["personal data retention"] == "assignments.tasks.personal_data_retention"
        weekly = Schedule.objects.get(name="attendance warnings")
        assert (weekly.schedule_type, timezone.localtime(weekly.next_run).weekday()) == (Schedule.WEEKLY, 0)


class TestStaffBooking:
    def test_staff_book_move_and_cancel_from_the_detail_page(self, client, alice, seoyeon, gangseo):
        first, second = make_slot(gangseo, hour=10), make_slot(gangseo, hour=15)
        client.force_login(alice)
        client.post(f"/admin/applicants/{seoyeon.pk}/book/", {"slot": first.pk})
        appointment = Appointment.objects.get(applicant=seoyeon)
        assert (appointment.slot, appointment.booked_by) == (first, alice)
        client.post(f"/admin/applicants/{seoyeon.pk}/book/", {"slot": second.pk})
        appointment.refresh_from_db()
        assert (appointment.slot, appointment.sequence) == (second, 1)
        client.post(f"/admin/applicants/{seoyeon.pk}/appointments/{appointment.pk}/cancel/")
        assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.CANCELLED

    def test_a_recruiter_creates_slots_only_for_her_branch(self, client, alice, gangseo):
        client.force_login(alice)
        starts = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
        data = {"kind": "consultation", "starts_at": starts, "duration_minutes": 60, "place": "상담실", "capacity": 2}
        other = Branch.objects.get(slug="branch-1")
        response = client.post("/admin/slots/new/", {**data, "branch": other.pk})
        assert response.status_code == 200
        assert "branch" in response.context["form"].errors
        assert not Slot.objects.exists()
        client.post("/admin/slots/new/", {**data, "branch": gangseo.pk})
        assert Slot.objects.get().branch == gangseo

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"capacity": 0}, "1 이상"),
            ({"capacity": 51}, "50 이하"),
            ({"duration_minutes": 5}, "10 이상"),
            ({"starts_at": "2020-01-01 10:00"}, "앞으로의 시간을 고르세요."),
            ({"starts_at": "내일"}, "올바른 날짜/시각을 입력하세요."),
            ({"place": ""}, "필수 작성 항목입니다"),
        ],
    )
    def test_bad_slots_are_refused(self, client, alice, gangseo, change, message):
        client.force_login(alice)
        starts = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
        data = {"branch": gangseo.pk, "kind": "consultation", "starts_at": starts, "duration_minutes": 60}
        response = client.post("/admin/slots/new/", {**data, "place": "상담실", "capacity": 1, **change})
        errors = " ".join(str(e) for errors in response.context["form"].errors.values() for e in errors)
        assert message in errors
        assert not Slot.objects.exists()

    def test_seats_cannot_drop_below_the_bookings(self, client, alice, seoyeon, gangseo, open_round):
        slot = make_slot(gangseo, capacity=2)
        services.appointment_book(applicant=seoyeon, slot=slot)
        services.appointment_book(applicant=make_applicant(open_round, mobile="01099990000"), slot=slot)
        client.force_login(alice)
        starts = timezone.localtime(slot.starts_at).strftime("%Y-%m-%d %H:%M")
        response = client.post(
            f"/admin/slots/edit/{slot.pk}/",
            {"branch": gangseo.pk, "kind": "consultation", "starts_at": starts, "duration_minutes": 60}
            | {"place": slot.place, "capacity": 1},
        )
        assert "2명이 이 시간을 예약했습니다" in str(response.context["form"].errors)
        assert Slot.objects.get(pk=slot.pk).capacity == 2

    def test_another_branch_slot_answers_404(self, client, bob, gangseo):
        slot = make_slot(gangseo)
        client.force_login(bob)
        assert client.get(f"/admin/slots/edit/{slot.pk}/").status_code == 404
        assert client.get("/admin/slots/").context["object_list"].count() == 0
