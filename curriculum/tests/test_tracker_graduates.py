"""The trainer's screens once some trainees have graduated or left: read-only for them, working for the rest."""

from datetime import date

import pytest
import time_machine

from curriculum import services
from curriculum.errors import MarkError, TrainingError
from curriculum.models import (
    Assessment,
    Attendance,
    Enrollment,
    EnrollmentStatus,
    ModuleResult,
    ModuleResultChange,
)
from curriculum.tests.factories import COHORT_STARTS, enroll_trainees, start_training

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = pytest.mark.usefixtures("module_site")

# The 7기 of the fixtures trains from 4 January to 3 April 2027; graduation comes after it.
AFTER_THE_END = date(2027, 4, 5)
LAST_WEEK = date(2027, 3, 29)


@pytest.fixture
def cohort(cohort):
    cohort.capacity = 100
    cohort.save()
    return start_training(cohort)


def _pass_everything(cohort, enrollment, tom) -> None:
    cells = {
        (enrollment.pk, module.pk): ("80" if module.assessment == Assessment.SCORE else "passed")
        for module in cohort.curriculum.modules.filter(is_required=True)
    }
    services.marks_save(cohort=cohort, actor=tom, cells=cells)
    enrollment.exam_passed, enrollment.exam_date, enrollment.registration_hours = True, date(2027, 3, 20), 20
    enrollment.save(update_fields=["exam_passed", "exam_date", "registration_hours"])


@pytest.fixture
def trainees(cohort, tom, hana):
    """서연 graduates through the gate, 교육생01 stays in training, 교육생02 left the training."""
    graduate, active, leaver = enroll_trainees(cohort, 3)
    _pass_everything(cohort, graduate, tom)
    scored = cohort.curriculum.modules.filter(assessment=Assessment.SCORE).first()
    services.marks_save(cohort=cohort, actor=tom, cells={(leaver.pk, scored.pk): "30"})
    with time_machine.travel(COHORT_STARTS):
        services.attendance_save(cohort=cohort, day=COHORT_STARTS, actor=tom, exceptions={})
    with time_machine.travel(AFTER_THE_END):
        services.enrollment_graduate(enrollment=graduate, actor=hana)
    # Leaving the training has no screen of its own yet: HR records it through the service.
    services.enrollment_leave(enrollment=leaver, actor=hana, reason="개인 사정")
    graduate.refresh_from_db()
    return graduate, active, leaver


def _grid_as_posted(cohort, enrollments, value="75") -> dict[tuple[int, int], str]:
    """Return every cell of the given rows as the grid posts them: saved marks, `value` in the empty ones."""
    saved = {(r.enrollment_id, r.module_id): r for r in ModuleResult.objects.filter(enrollment__in=enrollments)}
    cells = {}
    for enrollment in enrollments:
        for module in cohort.curriculum.modules.all():
            result = saved.get((enrollment.pk, module.pk))
            if result is not None:
                cells[(enrollment.pk, module.pk)] = str(result.score) if result.score is not None else result.status
            elif enrollment.status == EnrollmentStatus.ACTIVE:
                cells[(enrollment.pk, module.pk)] = value if module.assessment == Assessment.SCORE else "passed"
            else:
                cells[(enrollment.pk, module.pk)] = ""
    return cells


class TestMarksService:
    def test_it_saves_the_others_when_a_stale_grid_still_holds_a_graduate(self, cohort, tom, trainees):
        graduate, active, leaver = trainees
        locked_history = ModuleResultChange.objects.filter(enrollment__in=[graduate, leaver]).count()
        with time_machine.travel(AFTER_THE_END):
            changed = services.marks_save(
                cohort=cohort, actor=tom, cells=_grid_as_posted(cohort, [graduate, active, leaver])
            )
        assert changed == cohort.curriculum.modules.count()
        assert ModuleResult.objects.filter(enrollment=active).count() == changed
        assert ModuleResultChange.objects.filter(enrollment__in=[graduate, leaver]).count() == locked_history

    @pytest.mark.parametrize(
        ("who", "typed", "message"),
        [
            ("graduate", "55", "수료한 교육생의 평가는 바꿀 수 없습니다."),
            ("graduate", "abc", "수료한 교육생의 평가는 바꿀 수 없습니다."),
            ("leaver", "90", "중도 퇴소한 교육생의 평가는 바꿀 수 없습니다."),
            ("leaver", "", "중도 퇴소한 교육생의 평가는 바꿀 수 없습니다."),
        ],
    )
    def test_it_refuses_a_change_to_a_graduate_or_a_leaver_and_saves_nothing(
        self, cohort, tom, trainees, who, typed, message
    ):
        graduate, active, leaver = trainees
        locked = {"graduate": graduate, "leaver": leaver}[who]
        scored = cohort.curriculum.modules.filter(assessment=Assessment.SCORE).first()
        results = set(ModuleResult.objects.values_list("enrollment_id", "module_id", "status", "score"))
        with pytest.raises(MarkError) as refused:
            services.marks_save(
                cohort=cohort,
                actor=tom,
                cells={(active.pk, scored.pk): "88", (locked.pk, scored.pk): typed},
            )
        assert refused.value.errors == {(locked.pk, scored.pk): message}
        assert set(ModuleResult.objects.values_list("enrollment_id", "module_id", "status", "score")) == results

    def test_a_graduates_unmarked_module_cannot_be_marked_afterwards(self, cohort, tom, trainees):
        graduate, _active, _leaver = trainees
        optional = cohort.curriculum.modules.get(is_required=False)
        with pytest.raises(MarkError) as refused:
            services.marks_save(cohort=cohort, actor=tom, cells={(graduate.pk, optional.pk): "passed"})
        assert refused.value.errors == {(graduate.pk, optional.pk): "수료한 교육생의 평가는 바꿀 수 없습니다."}
        # Left empty, as the grid shows it, the cell is no change at all.
        assert services.marks_save(cohort=cohort, actor=tom, cells={(graduate.pk, optional.pk): ""}) == 0


class TestMarksGrid:
    def test_graduates_and_leavers_show_read_only_with_their_marks(self, client, cohort, tom, trainees):
        graduate, active, leaver = trainees
        client.force_login(tom)
        response = client.get(f"/admin/cohorts/{cohort.pk}/marks/")
        page = response.content.decode()
        assert response.status_code == 200
        assert f'name="c-{active.pk}-' in page
        assert f'name="c-{graduate.pk}-' not in page
        assert f'name="c-{leaver.pk}-' not in page
        rows = {row["enrollment"].pk: row for row in [*response.context["rows"], *response.context["locked_rows"]]}
        assert [rows[pk]["locked"] for pk in (active.pk, graduate.pk, leaver.pk)] == [
            "",
            "수료",
            "중도 퇴소",
        ]
        assert '<span class="w-status marks-grid__locked">수료</span>' in page
        assert '<span class="w-status marks-grid__locked">중도 퇴소</span>' in page
        assert ">80</span>" in page
        assert ">30</span>" in page

    def test_the_grid_as_the_browser_posts_it_saves_after_a_graduation(self, client, cohort, tom, trainees):
        graduate, active, leaver = trainees
        client.force_login(tom)
        data = {f"c-{e}-{m}": v for (e, m), v in _grid_as_posted(cohort, [active]).items()}
        response = client.post(f"/admin/cohorts/{cohort.pk}/marks/", data, follow=True)
        assert [str(m) for m in response.context["messages"]] == [
            f"평가 {cohort.curriculum.modules.count()}건을 저장했습니다."
        ]
        assert ModuleResult.objects.filter(enrollment=active).count() == cohort.curriculum.modules.count()

    def test_a_post_that_changes_a_graduates_cell_is_refused_next_to_that_cell(self, client, cohort, tom, trainees):
        graduate, active, _leaver = trainees
        scored = cohort.curriculum.modules.filter(assessment=Assessment.SCORE).first()
        client.force_login(tom)
        response = client.post(
            f"/admin/cohorts/{cohort.pk}/marks/",
            {f"c-{active.pk}-{scored.pk}": "77", f"c-{graduate.pk}-{scored.pk}": "20"},
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "1칸을 고쳐야 합니다. 아무것도 저장하지 않았습니다." in page
        assert "수료한 교육생의 평가는 바꿀 수 없습니다." in page
        assert ModuleResult.objects.get(enrollment=graduate, module=scored).score == 80
        assert not ModuleResult.objects.filter(enrollment=active).exists()

    def test_the_mark_history_of_a_graduate_says_so(self, client, cohort, tom, trainees):
        graduate, _active, _leaver = trainees
        scored = cohort.curriculum.modules.filter(assessment=Assessment.SCORE).first()
        client.force_login(tom)
        page = client.get(f"/admin/cohorts/{cohort.pk}/marks/{graduate.pk}/{scored.pk}/").content.decode()
        assert "수료한 교육생의 평가는 바꿀 수 없습니다." in page
        assert "80" in page


class TestAttendance:
    def test_only_trainees_in_training_are_on_the_sheet_and_the_others_past_days_are_kept(
        self, client, cohort, tom, trainees
    ):
        graduate, active, leaver = trainees
        with time_machine.travel(LAST_WEEK):
            client.force_login(tom)
            sheet = client.get(f"/admin/cohorts/{cohort.pk}/attendance/{COHORT_STARTS.isoformat()}/")
            assert [enrollment.pk for enrollment, _status in sheet.context["rows"]] == [active.pk]
            assert [(e.pk, status, label) for e, status, label in sheet.context["others"]] == [
                (graduate.pk, "present", "수료"),
                (leaver.pk, "present", "중도 퇴소"),
            ]
            page = sheet.content.decode()
            assert f'name="a-{graduate.pk}"' not in page
            assert "수료" in page
            response = client.post(
                f"/admin/cohorts/{cohort.pk}/attendance/{COHORT_STARTS.isoformat()}/",
                {f"a-{active.pk}": "present", f"a-{graduate.pk}": "absent", "reason": "정정"},
                follow=True,
            )
        assert [str(m) for m in response.context["messages"]] == [
            "수료했거나 중도 퇴소한 교육생의 출석은 바꿀 수 없습니다."
        ]
        assert dict(Attendance.objects.filter(day=COHORT_STARTS).values_list("enrollment_id", "status")) == {
            graduate.pk: "present",
            active.pk: "present",
            leaver.pk: "present",
        }

    def test_the_service_refuses_a_graduate_and_keeps_their_row(self, cohort, tom, trainees):
        graduate, active, _leaver = trainees
        with time_machine.travel(LAST_WEEK), pytest.raises(TrainingError, match="수료했거나 중도 퇴소한"):
            services.attendance_save(
                cohort=cohort, day=COHORT_STARTS, actor=tom, exceptions={graduate.pk: "absent"}, reason="정정"
            )
        assert Attendance.objects.get(enrollment=graduate).status == "present"


def test_the_dashboard_labels_graduates_and_counts_only_trainees_in_training_at_risk(client, cohort, tom, trainees):
    graduate, active, leaver = trainees
    with time_machine.travel(LAST_WEEK):
        client.force_login(tom)
        response = client.get(f"/admin/cohorts/{cohort.pk}/")
    page = response.content.decode()
    assert response.context["at_risk"] == 1
    assert response.context["left"] == 1
    graduated_row = next(t for t in response.context["trainees"] if t.enrollment.pk == graduate.pk)
    assert graduated_row.enrollment.status == EnrollmentStatus.GRADUATED
    assert "중도 퇴소 1명" in page
    assert Enrollment.objects.get(pk=leaver.pk).status == EnrollmentStatus.LEFT
