"""The trainer's screens and their rules: marking grid, attendance sheet, dashboard, the graduation gate."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.roles import Role
from curriculum import services
from curriculum.errors import MarkError, TrainingError
from curriculum.models import (
    Assessment,
    Attendance,
    AttendanceChange,
    Cohort,
    Curriculum,
    Enrollment,
    EnrollmentStatus,
    Module,
    ModuleResult,
    ModuleResultChange,
)
from curriculum.progress import cohort_progress
from curriculum.tests.factories import COHORT_STARTS, enroll_trainees, start_training
from recruiting.tests.factories import make_staff

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = pytest.mark.usefixtures("module_site")


@pytest.fixture
def cohort(cohort):
    cohort.capacity = 100
    cohort.save()
    return start_training(cohort)


def test_meeting_days_are_business_days_without_korean_holidays(cohort):
    days = services.meeting_days(cohort)
    assert days[0] == COHORT_STARTS
    assert all(day.weekday() < 5 for day in days)
    for holiday in (date(2027, 2, 8), date(2027, 2, 9), date(2027, 3, 1), date(2027, 3, 3) - timedelta(days=2)):
        assert holiday not in days
    assert date(2027, 2, 10) in days
    assert days[-1] <= cohort.ends_on


class TestMarks:
    def test_a_trainer_saves_many_cells_at_once_with_history(self, client, cohort, tom):
        first, second = enroll_trainees(cohort, 2)
        scored, completion = (
            cohort.curriculum.modules.filter(assessment=Assessment.SCORE).first(),
            (cohort.curriculum.modules.filter(assessment=Assessment.COMPLETION).first()),
        )
        client.force_login(tom)
        data = {
            f"c-{first.pk}-{scored.pk}": "75",
            f"c-{second.pk}-{scored.pk}": "40",
            f"c-{first.pk}-{completion.pk}": "passed",
            f"c-{second.pk}-{completion.pk}": "",
        }
        response = client.post(f"/admin/cohorts/{cohort.pk}/marks/", data)
        assert response.status_code == 302
        results = {(r.enrollment_id, r.module_id): (r.status, r.score) for r in ModuleResult.objects.all()}
        assert results == {
            (first.pk, scored.pk): ("passed", 75),
            (second.pk, scored.pk): ("failed", 40),
            (first.pk, completion.pk): ("passed", None),
        }
        assert ModuleResultChange.objects.count() == 3
        # Saving the same grid again changes nothing and writes no history.
        client.post(f"/admin/cohorts/{cohort.pk}/marks/", data)
        assert ModuleResultChange.objects.count() == 3
        data[f"c-{second.pk}-{scored.pk}"] = "65"
        client.post(f"/admin/cohorts/{cohort.pk}/marks/", data)
        history = client.get(f"/admin/cohorts/{cohort.pk}/marks/{second.pk}/{scored.pk}/").context["changes"]
        assert [(c.status, c.score, c.changed_by) for c in history] == [("passed", 65, tom), ("failed", 40, tom)]

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("abc", "0에서 100 사이의 점수를 입력하세요."),
            ("101", "0에서 100 사이의 점수를 입력하세요."),
            ("-5", "0에서 100 사이의 점수를 입력하세요."),
            ("<script>", "0에서 100 사이의 점수를 입력하세요."),
        ],
    )
    def test_a_bad_score_saves_nothing(self, cohort, tom, value, message):
        (trainee,) = enroll_trainees(cohort, 1)
        scored = cohort.curriculum.modules.filter(assessment=Assessment.SCORE)
        good, bad = scored[0], scored[1]
        with pytest.raises(MarkError) as refused:
            services.marks_save(
                cohort=cohort, actor=tom, cells={(trainee.pk, good.pk): "80", (trainee.pk, bad.pk): value}
            )
        assert refused.value.errors == {(trainee.pk, bad.pk): message}
        assert not ModuleResult.objects.exists()

    def test_other_bad_cells_are_named(self, cohort, curriculum, tom, gangseo, open_round):
        (trainee,) = enroll_trainees(cohort, 1)
        completion = cohort.curriculum.modules.filter(assessment=Assessment.COMPLETION).first()
        foreign = Module.objects.create(
            curriculum=Curriculum.objects.create(name="다른 과정"),
            title="x",
            area="communication",
            week_start=1,
            week_end=1,
        )
        services.marks_save(cohort=cohort, actor=tom, cells={(trainee.pk, completion.pk): "passed"})
        with pytest.raises(MarkError) as refused:
            services.marks_save(
                cohort=cohort,
                actor=tom,
                cells={
                    (trainee.pk, completion.pk): "",
                    (trainee.pk, foreign.pk): "passed",
                    (999999, completion.pk): "passed",
                },
            )
        assert refused.value.errors == {
            (trainee.pk, completion.pk): "평가는 지울 수 없습니다. 대신 고쳐 주세요.",
            (trainee.pk, foreign.pk): "이 기수에 없는 칸입니다.",
            (999999, completion.pk): "이 기수에 없는 칸입니다.",
        }

    def test_the_grid_shows_errors_next_to_the_cells_and_keeps_what_was_typed(self, client, cohort, tom):
        (trainee,) = enroll_trainees(cohort, 1)
        scored = cohort.curriculum.modules.filter(assessment=Assessment.SCORE).first()
        client.force_login(tom)
        response = client.post(f"/admin/cohorts/{cohort.pk}/marks/", {f"c-{trainee.pk}-{scored.pk}": "9o"})
        page = response.content.decode()
        assert response.status_code == 200
        assert "1칸을 고쳐야 합니다. 아무것도 저장하지 않았습니다." in page
        assert 'value="9o"' in page
        assert page.count('aria-invalid="true"') == 1
        assert "0에서 100 사이의 점수를 입력하세요." in page

    def test_who_may_mark(self, client, cohort, hana, roles, curriculum, gangseo, open_round):
        (trainee,) = enroll_trainees(cohort, 1)
        scored = cohort.curriculum.modules.filter(assessment=Assessment.SCORE).first()
        data = {f"c-{trainee.pk}-{scored.pk}": "80"}
        client.force_login(hana)
        assert client.get(f"/admin/cohorts/{cohort.pk}/marks/").status_code == 200
        assert client.post(f"/admin/cohorts/{cohort.pk}/marks/", data).status_code in (302, 403)
        client.force_login(make_staff("tina", Role.TRAINER))
        assert client.get(f"/admin/cohorts/{cohort.pk}/marks/").status_code == 404
        assert client.post(f"/admin/cohorts/{cohort.pk}/marks/", data).status_code == 404
        assert not ModuleResult.objects.exists()


def _big_cohort(cohort: Cohort, trainees: int, modules: int) -> list[Enrollment]:
    curriculum = Curriculum.objects.create(name=f"{modules}개 모듈 과정")
    Module.objects.bulk_create(
        Module(
            curriculum=curriculum,
            sort_order=number,
            title=f"모듈 {number}",
            area="communication",
            week_start=1,
            week_end=13,
            assessment=Assessment.SCORE if number % 2 else Assessment.COMPLETION,
            pass_mark=60 if number % 2 else None,
        )
        for number in range(modules)
    )
    cohort.curriculum = curriculum
    cohort.save()
    return enroll_trainees(cohort, trainees)


def _queries(client, method: str, url: str, data=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302), response.status_code
    return len(queries)


def test_the_grid_takes_the_same_queries_for_2x3_and_60x30(client, cohort, tom):
    client.force_login(tom)
    url = f"/admin/cohorts/{cohort.pk}/marks/"
    small = _big_cohort(cohort, 2, 3)
    small_get = _queries(client, "get", url)
    small_post = _queries(client, "post", url, _all_cells(cohort, small))
    ModuleResult.objects.all().delete()
    ModuleResultChange.objects.all().delete()
    Enrollment.objects.all().delete()
    big = _big_cohort(cohort, 60, 30)
    big_get = _queries(client, "get", url)
    assert (big_get, small_get) == (13, 13)
    big_post = _queries(client, "post", url, _all_cells(cohort, big))
    # Saving is two bulk inserts in one transaction. SQLite takes at most 999 parameters
    # per statement, so Django splits 1,800 rows into batches there; PostgreSQL does not.
    assert (big_post, small_post) == ((13, 13) if connection.vendor == "postgresql" else (33, 13))
    assert ModuleResult.objects.count() == 60 * 30
    assert ModuleResultChange.objects.count() == 60 * 30


def _all_cells(cohort, enrollments) -> dict[str, str]:
    modules = list(cohort.curriculum.modules.all())
    return {
        f"c-{e.pk}-{m.pk}": ("75" if m.assessment == Assessment.SCORE else "passed")
        for e in enrollments
        for m in modules
    }


class TestAttendance:
    def test_everyone_is_present_unless_marked_otherwise(self, client, cohort, tom):
        trainees = enroll_trainees(cohort, 3)
        with time_machine.travel(date(2027, 1, 5)):
            client.force_login(tom)
            page = client.get(f"/admin/cohorts/{cohort.pk}/attendance/")
            assert page["Location"] == f"/admin/cohorts/{cohort.pk}/attendance/2027-01-05/"
            sheet = client.get(page["Location"])
            assert [status for _enrollment, status in sheet.context["rows"]] == ["present"] * 3
            client.post(page["Location"], {f"a-{trainees[1].pk}": "late"})
        days = dict(Attendance.objects.filter(day=date(2027, 1, 5)).values_list("enrollment_id", "status"))
        assert days == {trainees[0].pk: "present", trainees[1].pk: "late", trainees[2].pk: "present"}

    def test_changing_a_past_day_needs_a_reason_and_is_logged(self, client, cohort, tom):
        (trainee,) = enroll_trainees(cohort, 1)
        with time_machine.travel(date(2027, 1, 4)):
            services.attendance_save(cohort=cohort, day=COHORT_STARTS, actor=tom, exceptions={})
        with time_machine.travel(date(2027, 1, 6)):
            with pytest.raises(TrainingError, match="지난 날의 출석을 바꾸려면 사유가 필요합니다."):
                services.attendance_save(cohort=cohort, day=COHORT_STARTS, actor=tom, exceptions={trainee.pk: "absent"})
            assert Attendance.objects.get().status == "present"
            services.attendance_save(
                cohort=cohort,
                day=COHORT_STARTS,
                actor=tom,
                exceptions={trainee.pk: "excused"},
                reason="병원 진단서 제출",
            )
        change = AttendanceChange.objects.get()
        assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
            "present",
            "excused",
            "병원 진단서 제출",
            tom,
        )

    @pytest.mark.parametrize(
        ("day", "exceptions", "message"),
        [
            (date(2027, 1, 9), {}, "그날은 정보미팅이 없는 날입니다."),
            (date(2027, 2, 8), {}, "그날은 정보미팅이 없는 날입니다."),
            (date(2027, 1, 12), {}, "출석은 당일이나 그 이후에만 기록할 수 있습니다."),
            (date(2027, 1, 11), {"other": "absent"}, "출석부에 없는 교육생이나 상태가 들어 있습니다."),
            (date(2027, 1, 11), {"self": "asleep"}, "출석부에 없는 교육생이나 상태가 들어 있습니다."),
        ],
    )
    def test_bad_sheets_are_refused(self, cohort, tom, day, exceptions, message):
        (trainee,) = enroll_trainees(cohort, 1)
        exceptions = {(trainee.pk if key == "self" else 999999): value for key, value in exceptions.items()}
        with time_machine.travel(date(2027, 1, 11)), pytest.raises(TrainingError, match=message):
            services.attendance_save(cohort=cohort, day=day, actor=tom, exceptions=exceptions)
        assert not Attendance.objects.exists()

    def test_a_day_without_a_meeting_answers_404(self, client, cohort, tom):
        client.force_login(tom)
        for day in ("2027-01-09", "2027-13-01", "yesterday"):
            assert client.get(f"/admin/cohorts/{cohort.pk}/attendance/{day}/").status_code == 404

    def test_the_sheet_takes_the_same_queries_for_2_or_60_trainees(self, client, cohort, tom):
        url = f"/admin/cohorts/{cohort.pk}/attendance/2027-01-05/"
        # Trainees join while the round is open; the sheet is taken on the meeting day.
        enroll_trainees(cohort, 2)
        with time_machine.travel(date(2027, 1, 5)):
            client.force_login(tom)
            small = (_queries(client, "get", url), _queries(client, "post", url, {}))
        Attendance.objects.all().delete()
        Enrollment.objects.all().delete()
        trainees = enroll_trainees(cohort, 60)
        with time_machine.travel(date(2027, 1, 5)):
            client.force_login(tom)
            big = (_queries(client, "get", url), _queries(client, "post", url, {f"a-{trainees[0].pk}": "absent"}))
        assert (big, small) == ((12, 13), (12, 13))
        assert Attendance.objects.count() == 60


class TestGate:
    def _passing(self, cohort, enrollment, tom):
        cells = {
            (enrollment.pk, m.pk): ("80" if m.assessment == Assessment.SCORE else "passed")
            for m in cohort.curriculum.modules.filter(is_required=True)
        }
        services.marks_save(cohort=cohort, actor=tom, cells=cells)
        Enrollment.objects.filter(pk=enrollment.pk).update(
            exam_passed=True, exam_date=date(2027, 3, 20), registration_hours=20
        )

    def test_it_lists_exactly_what_is_missing(self, cohort, tom):
        (trainee,) = enroll_trainees(cohort, 1)
        _modules, (report,) = cohort_progress(cohort, today=date(2027, 1, 4))
        required = cohort.curriculum.modules.filter(is_required=True).values_list("title", flat=True)
        assert report.missing == [
            "통과하지 못한 필수 모듈: " + ", ".join(required),
            "아직 출석 기록이 없음",
            "자격시험 결과 미입력",
            "등록교육 20시간 중 0.0시간 이수",
            "기수 종료 전 (종료일 2027년 4월 3일)",
        ]

    def test_attendance_under_the_threshold_keeps_a_trainee_back(self, cohort, tom, settings):
        settings.GRADUATION_ATTENDANCE_PERCENT = 90
        (trainee,) = enroll_trainees(cohort, 1)
        self._passing(cohort, trainee, tom)
        days = services.meeting_days(cohort)[:10]
        with time_machine.travel(date(2027, 1, 18)):
            for number, day in enumerate(days):
                absent = {trainee.pk: "absent"} if number < 2 else {}
                services.attendance_save(cohort=cohort, day=day, actor=tom, exceptions=absent, reason="기록")
        _modules, (report,) = cohort_progress(cohort, today=date(2027, 4, 3))
        assert report.attendance_rate == 80
        assert report.missing == ["출석률 80.0% (필요 90%)"]
        assert "출석률 80.0%가 기준 90%보다 낮음" in report.at_risk

    def test_hr_graduates_the_eligible_and_nobody_else(self, client, cohort, tom, hana):
        ready, not_ready = enroll_trainees(cohort, 2)
        self._passing(cohort, ready, tom)
        with time_machine.travel(date(2027, 1, 4)):
            services.attendance_save(cohort=cohort, day=COHORT_STARTS, actor=tom, exceptions={})
        # On the cohort's last day (3 April 2027), the first day graduation is allowed.
        with time_machine.travel(date(2027, 4, 3)):
            client.force_login(hana)
            response = client.post(f"/admin/cohorts/{cohort.pk}/graduation/", {"enrollment": not_ready.pk}, follow=True)
            assert "아직 수료할 수 없습니다" in str(list(response.context["messages"])[0])
            response = client.post(f"/admin/cohorts/{cohort.pk}/graduation/", follow=True)
        assert str(list(response.context["messages"])[0]) == "교육생 1명이 수료했습니다."
        statuses = dict(Enrollment.objects.values_list("pk", "status"))
        assert statuses == {ready.pk: EnrollmentStatus.GRADUATED, not_ready.pk: EnrollmentStatus.ACTIVE}
        client.force_login(tom)
        assert client.post(f"/admin/cohorts/{cohort.pk}/graduation/").status_code in (302, 403)
        assert Enrollment.objects.filter(status=EnrollmentStatus.GRADUATED).count() == 1


class TestWarnings:
    def test_trainers_and_the_branch_manager_are_warned_once_a_week(
        self, cohort, tom, gangseo, django_capture_on_commit_callbacks
    ):
        tom.email = "tom@example.com"
        tom.save()
        manager = make_staff("mina", Role.BRANCH_MANAGER, gangseo)
        manager.email = "mina@example.com"
        manager.save()
        low, fine = enroll_trainees(cohort, 2)
        with time_machine.travel(date(2027, 1, 8)):
            for number, day in enumerate(services.meeting_days(cohort)[:5]):
                exceptions = {low.pk: "absent"} if number < 2 else {}
                services.attendance_save(cohort=cohort, day=day, actor=tom, exceptions=exceptions, reason="기록")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert services.attendance_warnings_send(today=date(2027, 1, 11)) == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert services.attendance_warnings_send(today=date(2027, 1, 13)) == 0
        assert sorted(message.to[0] for message in mail.outbox) == ["mina@example.com", "tom@example.com"]
        assert mail.outbox[0].subject == "[CS RC] CS RC 7기 (지점0) 교육생00 님의 출석률이 기준보다 낮습니다"
        with django_capture_on_commit_callbacks(execute=True):
            assert services.attendance_warnings_send(today=date(2027, 1, 18)) == 1


class TestMilestones:
    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({"exam_passed": "on"}, "exam_date", "합격한 시험의 응시일을 적어 주세요."),
            ({"exam_date": "2099-01-01"}, "exam_date", "아직 오지 않은 날짜입니다."),
            ({"exam_score": "101"}, "exam_score", "100"),
            ({"registration_hours": "-1"}, "registration_hours", "0"),
            ({"registration_number": "A-1"}, "registration_number", "등록일과 등록 번호를 함께"),
            (
                {
                    "exam_passed": "on",
                    "exam_date": "2026-11-01",
                    "registered_on": "2026-11-02",
                    "registration_number": "860101-2345678",
                },
                "registration_number",
                "주민등록번호",
            ),
            ({"registered_on": "2026-11-02", "registration_number": "A-1"}, "registered_on", "자격시험 합격 후에"),
        ],
    )
    def test_bad_milestones_are_refused(self, client, cohort, tom, data, field, message):
        (trainee,) = enroll_trainees(cohort, 1)
        client.force_login(tom)
        response = client.post(
            f"/admin/cohorts/{cohort.pk}/trainees/{trainee.pk}/", {"registration_hours": "0", **data}
        )
        assert response.status_code == 200
        assert message in " ".join(response.context["form"].errors[field])
        trainee.refresh_from_db()
        assert (trainee.exam_passed, trainee.registration_number) == (False, "")

    def test_a_trainer_records_the_exam_and_registration(self, client, cohort, tom):
        (trainee,) = enroll_trainees(cohort, 1)
        client.force_login(tom)
        client.post(
            f"/admin/cohorts/{cohort.pk}/trainees/{trainee.pk}/",
            {
                "exam_date": "2026-11-01",
                "exam_score": "82",
                "exam_passed": "on",
                "registration_hours": "20",
                "registered_on": "2026-11-10",
                "registration_number": "2026-서울-0123",
            },
        )
        trainee.refresh_from_db()
        assert (trainee.exam_passed, trainee.registration_hours_complete, trainee.registration_number) == (
            True,
            True,
            "2026-서울-0123",
        )


def test_the_dashboard_flags_trainees_at_risk(client, cohort, tom):
    first, second = enroll_trainees(cohort, 2)
    scored = cohort.curriculum.modules.filter(assessment=Assessment.SCORE).first()
    services.marks_save(cohort=cohort, actor=tom, cells={(first.pk, scored.pk): "10"})
    with time_machine.travel(timezone.make_aware(timezone.datetime(2027, 1, 26, 9))):
        client.force_login(tom)
        response = client.get(f"/admin/cohorts/{cohort.pk}/")
    trainees = {t.enrollment.pk: t for t in response.context["trainees"]}
    assert any(risk.startswith("미통과: ") for risk in trainees[first.pk].at_risk)
    assert any(risk.startswith("평가 지연: ") for risk in trainees[second.pk].at_risk)
    assert response.context["at_risk"] == 2
