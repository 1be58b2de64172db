"""The working consultants' morning meeting at their branch: the service, the sheet (the trainers'
own), who may take which branch's, and its queries.

Tom trains the 7기 of 강서 (not finished); mina manages 강서 and bob another branch; hana is
HR; alice, a recruiter, and eddie, an editor, take no meeting.
"""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.admin.menu import admin_menu

from assignments.errors import PoolError
from assignments.models import ConsultantAttendance, ConsultantAttendanceChange, PoolMember
from assignments.services import (
    consultant_attendance_save,
    pool_member_anonymise,
    pool_member_leave,
    pool_member_release,
    pool_member_take_leave,
)
from core.roles import Role
from curriculum import services as training
from curriculum.models import Cohort, Enrollment
from curriculum.tests.factories import COHORT_STARTS, make_accepted, make_graduate
from recruiting.models import Applicant, Branch
from recruiting.tests.factories import make_staff

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = pytest.mark.usefixtures("module_site")

# A week of April 2027, after the 7기 ended (3 April): Saturday 10, Monday 12 to Wednesday 14.
SATURDAY, MONDAY, TUESDAY, WEDNESDAY = date(2027, 4, 10), date(2027, 4, 12), date(2027, 4, 13), date(2027, 4, 14)
CHILDRENS_DAY = date(2027, 5, 5)  # a Wednesday, a public holiday
NAMES = ["김서연", "이민지", "박지현", "최수빈", "정예은", "강하은", "조지원", "윤유진"]
RRN = "900101-2345678"
# The first Monday after the 7기 ended: its graduates join the pool.
RELEASED_ON = date(2027, 4, 5)


def _release(cohort: Cohort, number: int, *, actor, released_on: date = RELEASED_ON) -> PoolMember:
    """Return a graduate of the cohort released into its branch's pool on `released_on`, through the services.

    She applies today (the round of the fixtures is open today) and is released on that day.
    """
    name = f"{NAMES[number % len(NAMES)]}{number // len(NAMES) or ''}"
    applicant = make_accepted(cohort.round, number, name)
    # The applicant of the factory asks for 강서; a cohort elsewhere takes only its own branch's.
    Applicant.objects.filter(pk=applicant.pk).update(preferred_branch=cohort.branch)
    applicant.refresh_from_db()
    enrollment = training.enrollment_enroll(cohort=cohort, applicant=applicant, actor=actor)
    make_graduate(enrollment, actor=actor)
    with time_machine.travel(released_on):
        member, _created = pool_member_release(enrollment=Enrollment.objects.get(pk=enrollment.pk), actor=actor)
    return member


@pytest.fixture
def cohort(cohort):
    cohort.capacity = 100
    cohort.save()
    return cohort


@pytest.fixture
def consultants(cohort, hana) -> list[PoolMember]:
    """Three consultants working at 강서, in the order of the sheet (by name)."""
    members = [_release(cohort, number, actor=hana) for number in range(3)]
    return sorted(members, key=lambda member: member.enrollment.applicant.name)


@pytest.fixture
def elsewhere(site) -> Branch:
    return Branch.objects.get(slug="branch-1")


@pytest.fixture
def stranger(curriculum, open_round, elsewhere, hana) -> PoolMember:
    """A consultant working at another branch."""
    other = Cohort.objects.create(
        number=8, branch=elsewhere, curriculum=curriculum, round=open_round, starts_on=COHORT_STARTS
    )
    return _release(other, 50, actor=hana)


@pytest.fixture
def editor(roles):
    return make_staff("eddie", Role.EDITOR)


MEETINGS = "/admin/consultant-attendance/"


def _sheet(branch: Branch, day: date) -> str:
    return f"{MEETINGS}{branch.pk}/{day.isoformat()}/"


def _get(client, user, url: str, today: date, **kwargs):
    with time_machine.travel(today):
        client.force_login(user)
        return client.get(url, **kwargs)


def _post(client, user, url: str, data: dict, today: date):
    with time_machine.travel(today):
        client.force_login(user)
        return client.post(url, data, follow=True)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _saved(day: date) -> dict[int, str]:
    return dict(ConsultantAttendance.objects.filter(day=day).values_list("member", "status"))


def _save(branch: Branch, day: date, actor, today: date, statuses: dict | None = None, reason: str = "") -> int:
    with time_machine.travel(today):
        return consultant_attendance_save(branch=branch, day=day, actor=actor, statuses=statuses or {}, reason=reason)


class TestSaving:
    def test_it_records_everyone_present_by_default(self, consultants, gangseo, tom):
        assert _save(gangseo, TUESDAY, tom, TUESDAY) == 3
        assert _saved(TUESDAY) == {member.pk: "present" for member in consultants}
        row = ConsultantAttendance.objects.filter(day=TUESDAY).first()
        assert row.recorded_by == tom
        assert timezone.localdate(row.recorded_at) == TUESDAY
        # The day itself needs no reason and leaves no change rows.
        assert not ConsultantAttendanceChange.objects.exists()

    def test_it_records_the_exceptions_and_saving_again_changes_nothing(self, consultants, gangseo, mina):
        first, second, third = consultants
        statuses = {first.pk: "late", third.pk: "absent"}
        assert _save(gangseo, TUESDAY, mina, TUESDAY, statuses) == 3
        assert _saved(TUESDAY) == {first.pk: "late", second.pk: "present", third.pk: "absent"}
        assert _save(gangseo, TUESDAY, mina, TUESDAY, statuses) == 0
        assert _save(gangseo, TUESDAY, mina, TUESDAY, {first.pk: "late"}) == 1
        assert _saved(TUESDAY)[third.pk] == "present"

    def test_a_consultant_on_leave_is_excused_unless_tapped(self, consultants, gangseo, mina):
        first, second, _third = consultants
        pool_member_take_leave(member=first, actor=mina, reason="육아휴직")
        _save(gangseo, TUESDAY, mina, TUESDAY)
        assert _saved(TUESDAY)[first.pk] == "excused"
        _save(gangseo, WEDNESDAY, mina, WEDNESDAY, {first.pk: "present"})
        assert _saved(WEDNESDAY)[first.pk] == "present"

    def test_a_past_day_changes_only_with_a_reason_and_logs_each_change(self, consultants, gangseo, tom):
        first, second, third = consultants
        _save(gangseo, MONDAY, tom, MONDAY, {first.pk: "absent"})
        with pytest.raises(PoolError, match="지난 날의 출석을 바꾸려면 사유가 필요합니다."):
            _save(gangseo, MONDAY, tom, TUESDAY, {first.pk: "late"}, reason="  ")
        assert _saved(MONDAY)[first.pk] == "absent"
        # Saving the past day as it is needs no reason.
        assert _save(gangseo, MONDAY, tom, TUESDAY, {first.pk: "absent"}) == 0
        assert _save(gangseo, MONDAY, tom, TUESDAY, {first.pk: "late"}, reason="교통 지연 확인") == 1
        (change,) = ConsultantAttendanceChange.objects.all()
        assert (change.attendance.member, change.from_status, change.to_status) == (first, "absent", "late")
        assert (change.reason, change.changed_by) == ("교통 지연 확인", tom)

    def test_a_past_day_recorded_late_needs_a_reason_and_logs_every_row(self, consultants, gangseo, tom):
        with pytest.raises(PoolError):
            _save(gangseo, MONDAY, tom, WEDNESDAY)
        assert not ConsultantAttendance.objects.exists()
        assert _save(gangseo, MONDAY, tom, WEDNESDAY, reason="기록 누락") == 3
        assert set(ConsultantAttendanceChange.objects.values_list("from_status", "to_status")) == {("", "present")}

    def test_a_future_day_is_refused(self, consultants, gangseo, tom):
        with pytest.raises(PoolError, match="출석은 당일이나 그 이후에만 기록할 수 있습니다."):
            _save(gangseo, WEDNESDAY, tom, TUESDAY)
        assert not ConsultantAttendance.objects.exists()

    @pytest.mark.parametrize("day", [SATURDAY, CHILDRENS_DAY], ids=["weekend", "holiday"])
    def test_a_day_without_a_meeting_is_refused(self, consultants, gangseo, tom, day):
        with pytest.raises(PoolError, match="그날은 정보미팅이 없는 날입니다."):
            _save(gangseo, day, tom, date(2027, 5, 7), reason="기록")
        assert not ConsultantAttendance.objects.exists()

    def test_the_database_keeps_one_row_per_consultant_and_day(self, consultants, gangseo, tom):
        _save(gangseo, TUESDAY, tom, TUESDAY)
        row = ConsultantAttendance.objects.first()
        with pytest.raises(IntegrityError), transaction.atomic():
            ConsultantAttendance.objects.create(
                member=row.member, day=TUESDAY, status="absent", recorded_at=timezone.now()
            )
        with pytest.raises(IntegrityError), transaction.atomic():
            ConsultantAttendance.objects.create(
                member=row.member, day=TUESDAY + timedelta(days=1), status="asleep", recorded_at=timezone.now()
            )


def test_destroying_her_record_empties_the_reasons_of_her_changes(consultants, gangseo, hana, tom):
    first, second, _third = consultants
    _save(gangseo, MONDAY, tom, TUESDAY, {first.pk: "late", second.pk: "absent"}, reason="병원 진료로 지각")
    with transaction.atomic():
        pool_member_anonymise(member=PoolMember.objects.select_for_update().get(pk=first.pk))
    reasons = dict(ConsultantAttendanceChange.objects.values_list("attendance__member", "reason"))
    assert reasons[first.pk] == ""
    assert reasons[second.pk] == "병원 진료로 지각"
    # Her days stay, so the branch's counts stay true.
    assert _saved(MONDAY)[first.pk] == "late"


class TestRefusals:
    """Whatever is posted, a refused save keeps nothing of it."""

    def test_it_refuses_a_registration_number_or_a_null_character_in_the_reason(self, consultants, gangseo, tom):
        _save(gangseo, MONDAY, tom, MONDAY)
        for reason in (f"본인 확인 {RRN}", "사유\x00"):
            with pytest.raises(PoolError):
                _save(gangseo, MONDAY, tom, TUESDAY, {consultants[0].pk: "absent"}, reason=reason)
        assert set(_saved(MONDAY).values()) == {"present"}
        assert not ConsultantAttendanceChange.objects.exists()

    def test_it_refuses_a_reason_too_long(self, consultants, gangseo, tom):
        with pytest.raises(PoolError, match="200자"):
            _save(gangseo, MONDAY, tom, TUESDAY, reason="가" * 201)
        assert not ConsultantAttendance.objects.exists()

    def test_it_refuses_an_unknown_status(self, consultants, gangseo, tom):
        with pytest.raises(PoolError, match="출석부에 없는 컨설턴트나 상태가 들어 있습니다."):
            _save(gangseo, TUESDAY, tom, TUESDAY, {consultants[0].pk: "asleep"})
        assert not ConsultantAttendance.objects.exists()

    def test_it_refuses_a_consultant_of_another_branch(self, consultants, stranger, gangseo, tom):
        with pytest.raises(PoolError, match="출석부에 없는 컨설턴트나 상태가 들어 있습니다."):
            _save(gangseo, TUESDAY, tom, TUESDAY, {stranger.pk: "present"})
        with pytest.raises(PoolError):
            _save(gangseo, TUESDAY, tom, TUESDAY, {999999: "present"})
        assert not ConsultantAttendance.objects.exists()

    def test_it_refuses_a_consultant_who_left(self, consultants, gangseo, hana, tom):
        leaver = consultants[0]
        pool_member_leave(member=leaver, actor=hana, reason="퇴사")
        with pytest.raises(PoolError, match="배정 풀을 떠난 컨설턴트의 출석은 바꿀 수 없습니다."):
            _save(gangseo, TUESDAY, tom, TUESDAY, {leaver.pk: "present"})
        assert not ConsultantAttendance.objects.exists()
        _save(gangseo, TUESDAY, tom, TUESDAY)
        assert set(_saved(TUESDAY)) == {member.pk for member in consultants[1:]}

    def test_a_consultant_released_after_the_day_is_not_on_its_sheet(self, cohort, consultants, gangseo, hana, tom):
        newcomer = _release(cohort, 40, actor=hana, released_on=TUESDAY)
        with pytest.raises(PoolError):
            _save(gangseo, MONDAY, tom, TUESDAY, {newcomer.pk: "present"}, reason="기록")
        _save(gangseo, TUESDAY, tom, TUESDAY)
        assert newcomer.pk in _saved(TUESDAY)

    def test_the_sheet_says_why_and_keeps_what_was_tapped(self, client, consultants, stranger, gangseo, tom):
        first = consultants[0]
        posted = {f"a-{first.pk}": "late", f"a-{stranger.pk}": "present", "reason": ""}
        response = _post(client, tom, _sheet(gangseo, TUESDAY), posted, TUESDAY)
        assert response.status_code == 200
        assert _messages(response) == ["출석부에 없는 컨설턴트나 상태가 들어 있습니다."]
        assert (first, "late") in response.context["rows"]
        assert not ConsultantAttendance.objects.exists()
        response = _post(client, tom, _sheet(gangseo, MONDAY), {f"a-{first.pk}": "absent", "reason": RRN}, TUESDAY)
        assert _messages(response) == ["주민등록번호는 입력하지 마세요. 주민등록번호는 수집하지 않습니다."]
        assert response.context["reason"] == RRN
        assert not ConsultantAttendance.objects.exists()


class TestSheet:
    def test_it_is_the_trainers_sheet_with_everyone_present_until_saved(self, client, consultants, gangseo, tom):
        response = _get(client, tom, _sheet(gangseo, TUESDAY), TUESDAY)
        page = response.content.decode()
        assert response.status_code == 200
        assert "2027년 4월 13일 (화)" in page
        assert "아직 기록되지 않았습니다" in page
        assert page.count('class="attendance-sheet__choice attendance-sheet__choice--present"') == 3
        assert [status for _member, status in response.context["rows"]] == ["present"] * 3
        assert 'aria-label="이전 정보미팅, 4월 12일 (월)"' in page
        assert response.context["next_day"] is None
        assert "사유" not in page.split('<form method="post"')[1].split("</form>")[0]

    def test_saving_the_sheet_records_the_taps(self, client, consultants, gangseo, tom):
        first, second, third = consultants
        data = {f"a-{first.pk}": "present", f"a-{second.pk}": "late", f"a-{third.pk}": "excused"}
        response = _post(client, tom, _sheet(gangseo, TUESDAY), data, TUESDAY)
        assert response.redirect_chain == [(_sheet(gangseo, TUESDAY), 302)]
        assert _messages(response) == ["출석을 저장했습니다 (3건 변경)."]
        assert _saved(TUESDAY) == {first.pk: "present", second.pk: "late", third.pk: "excused"}
        assert "아직 기록되지 않았습니다" not in response.content.decode()

    def test_a_past_day_asks_for_the_reason(self, client, consultants, gangseo, tom):
        _save(gangseo, MONDAY, tom, MONDAY)
        url = _sheet(gangseo, MONDAY)
        page = _get(client, tom, url, WEDNESDAY).content.decode()
        assert 'name="reason"' in page
        assert "지난 날의 출석을 바꾸는 사유" in page
        response = _post(client, tom, url, {f"a-{consultants[0].pk}": "absent"}, WEDNESDAY)
        assert _messages(response) == ["지난 날의 출석을 바꾸려면 사유가 필요합니다."]
        response = _post(client, tom, url, {f"a-{consultants[0].pk}": "absent", "reason": "조퇴 확인"}, WEDNESDAY)
        assert _messages(response) == ["출석을 저장했습니다 (1건 변경)."]
        assert ConsultantAttendanceChange.objects.get().reason == "조퇴 확인"

    def test_a_consultant_on_leave_is_shown_as_such_and_excused(self, client, consultants, gangseo, mina):
        pool_member_take_leave(member=consultants[0], actor=mina, reason="육아휴직")
        response = _get(client, mina, _sheet(gangseo, TUESDAY), TUESDAY)
        assert response.context["rows"][0] == (consultants[0], "excused")
        assert '<span class="w-status">휴직</span>' in response.content.decode()

    def test_a_consultant_who_left_shows_her_record_read_only(self, client, consultants, gangseo, hana, tom):
        leaver = consultants[0]
        _save(gangseo, MONDAY, tom, MONDAY, {leaver.pk: "late"})
        pool_member_leave(member=leaver, actor=hana, reason="퇴사")
        response = _get(client, tom, _sheet(gangseo, MONDAY), WEDNESDAY)
        assert leaver not in [member for member, _status in response.context["rows"]]
        assert [(member, status) for member, status, _label in response.context["others"]] == [(leaver, "late")]
        assert "그 뒤 배정 풀을 떠난 컨설턴트: 그날의 기록 (볼 수만 있음)" in response.content.decode()

    def test_a_future_day_sends_to_the_latest_with_a_message(self, client, consultants, gangseo, tom):
        response = _get(client, tom, _sheet(gangseo, WEDNESDAY), TUESDAY, follow=True)
        assert response.redirect_chain[-1][0] == _sheet(gangseo, TUESDAY)
        assert _messages(response) == ["4월 14일 (수) 출석은 그날부터 기록할 수 있습니다."]
        response = _post(client, tom, _sheet(gangseo, WEDNESDAY), {f"a-{consultants[0].pk}": "late"}, TUESDAY)
        assert not ConsultantAttendance.objects.exists()

    # A Saturday, Children's Day, no day at all, a day before the first release (5 April), the first day of all.
    @pytest.mark.parametrize("day", ["2027-04-10", "2027-05-05", "2027-02-30", "yesterday", "2027-03-31", "0001-01-01"])
    def test_a_day_without_a_meeting_is_not_there(self, client, consultants, gangseo, tom, day):
        url = f"/admin/consultant-attendance/{gangseo.pk}/{day}/"
        assert _get(client, tom, url, date(2027, 5, 7)).status_code == 404
        with time_machine.travel(date(2027, 5, 7)):
            assert client.post(url, {"reason": "기록"}).status_code == 404
        assert not ConsultantAttendance.objects.exists()

    def test_the_steps_go_back_to_the_first_release_and_skip_days_without_a_meeting(
        self, client, consultants, gangseo, tom
    ):
        first = _get(client, tom, _sheet(gangseo, RELEASED_ON), WEDNESDAY)
        assert (first.context["previous_day"], first.context["next_day"]) == (None, date(2027, 4, 6))
        # Thursday 6 May: the meeting before it was Tuesday 4 May, Children's Day (5 May) has none.
        after_holiday = _get(client, tom, _sheet(gangseo, date(2027, 5, 6)), date(2027, 5, 7))
        assert after_holiday.context["previous_day"] == date(2027, 5, 4)

    def test_the_branch_opens_on_its_latest_meeting(self, client, consultants, gangseo, tom):
        url = f"/admin/consultant-attendance/{gangseo.pk}/"
        # Sunday 11 April: the latest meeting was Friday 9 April.
        assert _get(client, tom, url, date(2027, 4, 11))["Location"] == _sheet(gangseo, date(2027, 4, 9))
        assert _get(client, tom, url, TUESDAY)["Location"] == _sheet(gangseo, TUESDAY)

    def test_it_links_the_cohorts_sheet_of_the_same_meeting_both_ways(self, client, cohort, gangseo, hana, tom):
        training_day = date(2027, 3, 30)
        # A consultant of an earlier cohort works at the branch while the 7기 trains.
        _release(cohort, 60, actor=hana, released_on=date(2027, 3, 2))
        consultants_sheet = _get(client, tom, _sheet(gangseo, training_day), training_day).content.decode()
        trainees_url = f"/admin/cohorts/{cohort.pk}/attendance/{training_day.isoformat()}/"
        assert f'href="{trainees_url}"' in consultants_sheet
        assert "7기 교육생" in consultants_sheet
        trainees_sheet = _get(client, tom, trainees_url, training_day).content.decode()
        assert f'href="{_sheet(gangseo, training_day)}"' in trainees_sheet
        assert f"이 정보미팅의 {gangseo.name} 지점 컨설턴트 출석" in trainees_sheet


class TestWho:
    def test_the_trainer_the_branch_manager_and_hr_take_it(self, client, consultants, gangseo, tom, mina, hana):
        for person in (tom, mina, hana):
            assert _get(client, person, _sheet(gangseo, TUESDAY), TUESDAY).status_code == 200
            data = {f"a-{consultants[0].pk}": "late"}
            assert _post(client, person, _sheet(gangseo, TUESDAY), data, TUESDAY).status_code == 200
        assert _saved(TUESDAY)[consultants[0].pk] == "late"

    def test_another_branch_is_not_there(self, client, consultants, gangseo, elsewhere, tom, bob, mina):
        assert _get(client, bob, _sheet(gangseo, TUESDAY), TUESDAY).status_code == 404
        assert _get(client, mina, _sheet(elsewhere, TUESDAY), TUESDAY).status_code == 404
        assert _get(client, tom, _sheet(elsewhere, TUESDAY), TUESDAY).status_code == 404
        with time_machine.travel(TUESDAY):
            client.force_login(bob)
            assert client.post(_sheet(gangseo, TUESDAY), {f"a-{consultants[0].pk}": "late"}).status_code == 404
        assert not ConsultantAttendance.objects.exists()

    def test_a_trainer_whose_cohort_finished_no_longer_takes_the_branchs(
        self, client, cohort, consultants, gangseo, tom
    ):
        training.cohorts_advance(today=cohort.starts_on, cohort=cohort)
        training.cohorts_advance(today=date(2027, 4, 5), cohort=cohort)
        assert _get(client, tom, _sheet(gangseo, TUESDAY), TUESDAY).status_code == 404

    def test_roles_without_the_meeting_are_refused(self, client, consultants, gangseo, alice, editor):
        for person in (alice, editor):
            for url in (_sheet(gangseo, TUESDAY), f"/admin/consultant-attendance/{gangseo.pk}/", MEETINGS):
                response = _get(client, person, url, TUESDAY)
                # The admin answers a permission refused with a message on its home page.
                assert (response.status_code, response["Location"]) == (302, "/admin/")
            response = _post(client, person, _sheet(gangseo, TUESDAY), {f"a-{consultants[0].pk}": "late"}, TUESDAY)
            assert response.redirect_chain == [("/admin/", 302)]
        assert not ConsultantAttendance.objects.exists()

    def test_the_list_opens_the_one_branch_or_lists_them(self, client, consultants, gangseo, tom, hana):
        _save(gangseo, TUESDAY, tom, TUESDAY)
        assert _get(client, tom, MEETINGS, TUESDAY)["Location"] == (f"/admin/consultant-attendance/{gangseo.pk}/")
        listing = _get(client, hana, MEETINGS, TUESDAY)
        assert len(listing.context["branches"]) == Branch.objects.count()
        (row,) = [branch for branch in listing.context["branches"] if branch.pk == gangseo.pk]
        assert (row.working, row.recorded_today) == (3, 3)

    def test_the_menu_shows_it_to_those_who_take_it(self, rf, tom, mina, hana, alice, editor):
        def labels(user) -> list[str]:
            request = rf.get("/admin/")
            request.user = user
            return [str(item.label) for item in admin_menu.menu_items_for_request(request)]

        for person in (tom, mina, hana):
            assert "컨설턴트 정보미팅" in labels(person)
        for person in (alice, editor):
            assert "컨설턴트 정보미팅" not in labels(person)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_sheet_keeps_its_queries_constant_however_many_consultants(client, cohort, gangseo, hana, tom):
    members = [_release(cohort, number, actor=hana) for number in range(5)]
    pool_member_take_leave(member=members[0], actor=hana, reason="휴직")
    _save(gangseo, MONDAY, tom, MONDAY)
    pool_member_leave(member=members[1], actor=hana, reason="퇴사")
    with time_machine.travel(TUESDAY):
        client.force_login(tom)
        few = _queries(client, _sheet(gangseo, MONDAY))
    for number in range(5, 30):
        _release(cohort, number, actor=hana)
    _save(gangseo, MONDAY, tom, TUESDAY, reason="기록")
    with time_machine.travel(TUESDAY):
        client.force_login(tom)
        many = _queries(client, _sheet(gangseo, MONDAY))
    assert PoolMember.objects.filter(branch=gangseo).count() == 30
    assert few == many == 15
