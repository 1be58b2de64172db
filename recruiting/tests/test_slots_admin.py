"""The slot list and a slot's page (상담·면접 일정): what is coming, who booked, edit and delete."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from recruiting import services
from recruiting.models import Applicant, Branch, Slot
from recruiting.tests.factories import make_applicant
from recruiting.tests.test_appointments import make_slot

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = pytest.mark.usefixtures("module_site")

SLOTS = "/admin/slots/"


@pytest.fixture
def seoyeon(open_round):
    return make_applicant(open_round)


def _past(slot: Slot, days: int = 2) -> Slot:
    """Move a slot into the past, as time would (the form refuses past times)."""
    Slot.objects.filter(pk=slot.pk).update(starts_at=slot.starts_at - timedelta(days=days + 10))
    slot.refresh_from_db()
    return slot


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _edit_data(slot: Slot, **change) -> dict:
    starts = timezone.localtime(slot.starts_at).strftime("%Y-%m-%d %H:%M")
    return {
        "branch": slot.branch_id,
        "kind": slot.kind,
        "starts_at": starts,
        "duration_minutes": slot.duration_minutes,
        "place": slot.place,
        "capacity": slot.capacity,
        **change,
    }


class TestList:
    def test_it_lists_upcoming_slots_first_and_past_ones_behind_a_filter(self, client, alice, gangseo):
        later, sooner = make_slot(gangseo, days=5), make_slot(gangseo, days=2)
        past = _past(make_slot(gangseo, days=1))
        client.force_login(alice)
        assert list(client.get(SLOTS).context["object_list"]) == [sooner, later]
        assert list(client.get(SLOTS, {"period": "past"}).context["object_list"]) == [past]
        assert list(client.get(SLOTS, {"period": "all"}).context["object_list"]) == [past, sooner, later]

    def test_todays_slots_stay_in_the_upcoming_list(self, client, alice, gangseo):
        this_morning = Slot.objects.create(
            branch=gangseo, starts_at=timezone.now() - timedelta(minutes=1), place="상담실", capacity=1
        )
        client.force_login(alice)
        listed = list(client.get(SLOTS).context["object_list"])
        if timezone.localtime(this_morning.starts_at).date() == timezone.localdate():
            assert listed == [this_morning]

    def test_it_shows_the_weekday_in_korean_order_and_opens_the_slot(self, client, alice, gangseo):
        slot = make_slot(gangseo, hour=10)
        client.force_login(alice)
        page = client.get(SLOTS).content.decode()
        assert re.search(r"\d{1,2}월 \d{1,2}일 \([월화수목금토일]\) 오전 10:00", page)
        assert f'href="/admin/slots/inspect/{slot.pk}/"' in page

    def test_it_names_who_booked_each_seat(self, client, alice, seoyeon, gangseo):
        slot = make_slot(gangseo, capacity=3)
        services.appointment_book(applicant=seoyeon, slot=slot)
        client.force_login(alice)
        page = client.get(SLOTS).content.decode()
        assert "1 / 3" in page
        assert re.search(rf'<a href="/admin/applicants/{seoyeon.pk}/">\s*이서연\s*</a>', page)

    def test_another_branch_sees_neither_the_slot_nor_the_names(self, client, bob, seoyeon, gangseo):
        services.appointment_book(applicant=seoyeon, slot=make_slot(gangseo))
        client.force_login(bob)
        response = client.get(SLOTS, {"period": "all"})
        assert list(response.context["object_list"]) == []
        assert "이서연" not in response.content.decode()

    def _queries(self, client) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(SLOTS).status_code == 200
        return len(queries)

    def test_it_takes_the_same_queries_for_few_or_many_bookings(self, client, alice, gangseo, open_round):
        client.force_login(alice)
        slots = [make_slot(gangseo, days=days, capacity=5) for days in (2, 3, 4)]
        services.appointment_book(applicant=make_applicant(open_round, mobile="01000000001"), slot=slots[0])
        few = self._queries(client)
        for number in range(2, 8):
            applicant = make_applicant(open_round, mobile=f"0100000000{number}", email=f"a{number}@example.com")
            services.appointment_book(applicant=applicant, slot=slots[number % 3])
        assert self._queries(client) == few


class TestSlotPage:
    def test_it_lists_the_bookings_with_links_and_offers_edit_but_not_delete(self, client, alice, seoyeon, gangseo):
        slot = make_slot(gangseo, capacity=2)
        services.appointment_book(applicant=seoyeon, slot=slot)
        client.force_login(alice)
        page = client.get(f"{SLOTS}inspect/{slot.pk}/").content.decode()
        assert re.search(rf'<a href="/admin/applicants/{seoyeon.pk}/">\s*이서연\s*</a>', page)
        assert "1 / 2" in page
        assert f"/admin/slots/edit/{slot.pk}/" in page
        assert f"/admin/slots/delete/{slot.pk}/" not in page
        assert "예약 기록이 있는 일정은 삭제할 수 없습니다" in page

    def test_an_empty_slot_offers_delete(self, client, alice, gangseo):
        slot = make_slot(gangseo)
        client.force_login(alice)
        page = client.get(f"{SLOTS}inspect/{slot.pk}/").content.decode()
        assert f"/admin/slots/delete/{slot.pk}/" in page
        assert "아직 예약한 사람이 없습니다" in page

    def test_another_branch_slot_answers_404(self, client, bob, gangseo):
        client.force_login(bob)
        assert client.get(f"{SLOTS}inspect/{make_slot(gangseo).pk}/").status_code == 404


class TestDelete:
    def test_an_empty_slot_is_deleted_after_confirmation(self, client, alice, gangseo):
        slot = make_slot(gangseo)
        client.force_login(alice)
        assert "삭제" in client.get(f"{SLOTS}delete/{slot.pk}/").content.decode()
        assert Slot.objects.filter(pk=slot.pk).exists()
        client.post(f"{SLOTS}delete/{slot.pk}/")
        assert not Slot.objects.filter(pk=slot.pk).exists()

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_a_slot_with_bookings_is_never_deleted(self, client, alice, seoyeon, gangseo, method):
        slot = make_slot(gangseo)
        appointment = services.appointment_book(applicant=seoyeon, slot=slot)
        services.appointment_cancel(appointment=appointment)
        client.force_login(alice)
        response = getattr(client, method)(f"{SLOTS}delete/{slot.pk}/")
        assert response["Location"] == f"{SLOTS}inspect/{slot.pk}/"
        assert _messages(response) == ["예약 기록이 있는 일정은 삭제할 수 없습니다."]
        assert Slot.objects.filter(pk=slot.pk).exists()


class TestEdit:
    def test_seats_cannot_drop_below_the_bookings(self, client, alice, seoyeon, gangseo, open_round):
        slot = make_slot(gangseo, capacity=3)
        services.appointment_book(applicant=seoyeon, slot=slot)
        services.appointment_book(applicant=make_applicant(open_round, mobile="01099990000"), slot=slot)
        client.force_login(alice)
        response = client.post(f"{SLOTS}edit/{slot.pk}/", _edit_data(slot, capacity=1))
        assert "2명이 이 시간을 예약했습니다. 정원을 그보다 줄일 수 없습니다." in str(response.context["form"].errors)
        assert Slot.objects.get(pk=slot.pk).capacity == 3
        client.post(f"{SLOTS}edit/{slot.pk}/", _edit_data(slot, capacity=2))
        assert Slot.objects.get(pk=slot.pk).capacity == 2

    def test_a_booked_slot_keeps_its_time_and_place(self, client, alice, seoyeon, gangseo):
        # The people booked were sent this time and place; moving them is done booking by booking.
        slot = make_slot(gangseo, capacity=2)
        services.appointment_book(applicant=seoyeon, slot=slot)
        client.force_login(alice)
        later = timezone.localtime(slot.starts_at + timedelta(hours=3)).strftime("%Y-%m-%d %H:%M")
        client.post(f"{SLOTS}edit/{slot.pk}/", _edit_data(slot, starts_at=later, place="다른 방", capacity=3))
        saved = Slot.objects.get(pk=slot.pk)
        assert (saved.starts_at, saved.place, saved.capacity) == (slot.starts_at, slot.place, 3)

    def test_an_empty_slot_can_move(self, client, alice, gangseo):
        slot = make_slot(gangseo)
        client.force_login(alice)
        later = timezone.localtime(slot.starts_at + timedelta(hours=3)).strftime("%Y-%m-%d %H:%M")
        client.post(f"{SLOTS}edit/{slot.pk}/", _edit_data(slot, starts_at=later))
        assert Slot.objects.get(pk=slot.pk).starts_at == slot.starts_at + timedelta(hours=3)


def test_applicants_of_another_branch_booked_here_are_counted_not_named(client, alice, seoyeon, gangseo):
    """An applicant who later moved to another branch keeps her seat; alice sees a seat, not her name."""
    slot = make_slot(gangseo, capacity=2)
    services.appointment_book(applicant=seoyeon, slot=slot)
    Applicant.objects.filter(pk=seoyeon.pk).update(preferred_branch=Branch.objects.get(slug="branch-1"))
    client.force_login(alice)
    page = client.get(f"{SLOTS}inspect/{slot.pk}/").content.decode()
    assert "1 / 2" in page
    assert "이서연" not in page
