"""The attendance screen offers only days that can be saved; the chart and the grid say what they show."""

from datetime import date

import pytest
import time_machine

from curriculum import services
from curriculum.models import Assessment, Attendance
from curriculum.tests.factories import COHORT_STARTS, enroll_trainees, start_training

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = pytest.mark.usefixtures("module_site")

# 7기 of the fixtures: meetings from Monday 4 January 2027, none on weekends or Seollal (6–9 February).
TUESDAY = date(2027, 1, 5)


@pytest.fixture
def cohort(cohort):
    cohort.capacity = 100
    cohort.save()
    return start_training(cohort)


def _get(client, user, url: str, day: date, **kwargs):
    with time_machine.travel(day):
        client.force_login(user)
        return client.get(url, **kwargs)


class TestDays:
    def test_before_the_training_starts_it_names_the_first_meeting_and_offers_no_save(self, client, cohort, tom):
        enroll_trainees(cohort, 2)
        response = _get(client, tom, f"/admin/cohorts/{cohort.pk}/attendance/", date(2026, 12, 28))
        page = response.content.decode()
        assert response.status_code == 200
        assert "아직 교육이 시작되지 않았습니다. 첫 정보미팅은 1월 4일 (월)입니다." in page
        assert "출석 저장" not in page
        assert 'type="radio"' not in page

    def test_a_future_meeting_day_is_not_offered_but_sends_to_the_latest_day(self, client, cohort, tom):
        enroll_trainees(cohort, 1)
        response = _get(client, tom, f"/admin/cohorts/{cohort.pk}/attendance/2027-01-07/", TUESDAY, follow=True)
        assert response.redirect_chain[-1][0] == f"/admin/cohorts/{cohort.pk}/attendance/2027-01-05/"
        assert [str(m) for m in response.context["messages"]] == ["1월 7일 (목) 출석은 그날부터 기록할 수 있습니다."]
        assert response.context["next_day"] is None
        assert response.context["previous_day"] == COHORT_STARTS
        with time_machine.travel(TUESDAY):
            posted = client.post(f"/admin/cohorts/{cohort.pk}/attendance/2027-01-07/", {})
        assert posted.status_code == 302
        assert not Attendance.objects.exists()

    def test_the_steps_skip_days_without_a_meeting(self, client, cohort, tom):
        enroll_trainees(cohort, 1)
        # Friday 5 February: the next meeting after Seollal is Wednesday 10 February.
        response = _get(client, tom, f"/admin/cohorts/{cohort.pk}/attendance/2027-02-05/", date(2027, 2, 12))
        assert (response.context["previous_day"], response.context["next_day"]) == (date(2027, 2, 4), date(2027, 2, 10))
        page = response.content.decode()
        assert 'aria-label="다음 정보미팅, 2월 10일 (수)"' in page

    def test_a_sheet_with_nobody_in_training_offers_no_save(self, client, cohort, tom):
        response = _get(client, tom, f"/admin/cohorts/{cohort.pk}/attendance/2027-01-05/", TUESDAY)
        page = response.content.decode()
        assert "이 기수에 교육 중인 교육생이 없습니다." in page
        assert "출석 저장" not in page


def test_the_attendance_chart_prints_its_days(client, cohort, tom):
    (trainee,) = enroll_trainees(cohort, 1)
    days = services.meeting_days(cohort)[:20]
    with time_machine.travel(date(2027, 2, 1)):
        for day in days[:3]:
            services.attendance_save(cohort=cohort, day=day, actor=tom, exceptions={}, reason="기록")
    few = _get(client, tom, f"/admin/cohorts/{cohort.pk}/", date(2027, 2, 1)).content.decode()
    assert few.count('class="attendance-chart__day"') == 3
    assert '<span class="attendance-chart__day" aria-hidden="true">1/4</span>' in few
    with time_machine.travel(date(2027, 2, 1)):
        for day in days[3:]:
            services.attendance_save(cohort=cohort, day=day, actor=tom, exceptions={}, reason="기록")
    many = _get(client, tom, f"/admin/cohorts/{cohort.pk}/", date(2027, 2, 1)).content.decode()
    # Twenty meetings over four weeks: each week's first one carries its date (4, 11, 18 and 25 January).
    assert many.count('class="attendance-chart__day"') == 4
    assert ">1/11</span>" in many
    assert ">1/12</span>" not in many


def test_the_history_link_names_the_trainee_and_the_module(client, cohort, tom):
    (trainee,) = enroll_trainees(cohort, 1)
    scored = cohort.curriculum.modules.filter(assessment=Assessment.SCORE).first()
    services.marks_save(cohort=cohort, actor=tom, cells={(trainee.pk, scored.pk): "70"})
    client.force_login(tom)
    page = client.get(f"/admin/cohorts/{cohort.pk}/marks/").content.decode()
    name = trainee.applicant.name
    assert f'aria-label="{name} · {scored.title} 이력"' in page
