"""The trainer's admin home: their cohorts and today's morning meeting, instead of an empty page."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.roles import Role
from curriculum import services
from curriculum.models import Assessment, Cohort
from curriculum.tests.factories import enroll_trainees, start_training
from recruiting.tests.factories import make_staff

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = pytest.mark.usefixtures("module_site")

# 7기 of the fixtures: Tuesday 5 January 2027 is a meeting day, Saturday 9 January is not.
MEETING_DAY = date(2027, 1, 5)
SATURDAY = date(2027, 1, 9)


@pytest.fixture
def cohort(cohort):
    cohort.capacity = 100
    cohort.save()
    return start_training(cohort)


def _home(client, user, day: date) -> str:
    with time_machine.travel(day):
        client.force_login(user)
        response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_todays_meeting_with_a_link_to_its_sheet_until_it_is_taken(client, cohort, tom):
    first, _second = enroll_trainees(cohort, 2)
    scored = cohort.curriculum.modules.filter(assessment=Assessment.SCORE).first()
    services.marks_save(cohort=cohort, actor=tom, cells={(first.pk, scored.pk): "10"})
    page = _home(client, tom, MEETING_DAY)
    assert "오늘 내 기수, 1월 5일 (화)" in page
    assert str(cohort) in page
    assert f'href="/admin/cohorts/{cohort.pk}/attendance/2027-01-05/">오늘 출석 부르기</a>' in page
    assert "오늘 정보미팅 출석을 아직 기록하지 않았습니다." in page
    assert "교육생 2명 · " in page
    assert "관심 필요 1명" in page

    with time_machine.travel(MEETING_DAY):
        services.attendance_save(cohort=cohort, day=MEETING_DAY, actor=tom, exceptions={})
    page = _home(client, tom, MEETING_DAY)
    assert "오늘 정보미팅 출석을 기록했습니다 (교육생 2명)." in page
    assert f'href="/admin/cohorts/{cohort.pk}/attendance/2027-01-05/">오늘 출석부 보기</a>' in page


def test_on_a_day_without_a_meeting_it_names_the_next_one(client, cohort, tom):
    enroll_trainees(cohort, 1)
    page = _home(client, tom, SATURDAY)
    assert "오늘은 정보미팅이 없습니다. 다음 정보미팅: 1월 11일 (월)." in page
    assert "/attendance/2027-01-09/" not in page


def test_a_trainer_without_a_cohort_is_told_why_the_panel_is_empty(client, roles, cohort):
    page = _home(client, make_staff("tina", Role.TRAINER), MEETING_DAY)
    assert "아직 맡은 기수가 없습니다." in page
    assert str(cohort) not in page


def test_only_trainers_see_the_panel(client, cohort, hana, alice):
    for user in (hana, alice):
        assert "오늘 내 기수" not in _home(client, user, MEETING_DAY)


def _count(client, user) -> int:
    with time_machine.travel(MEETING_DAY):
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/admin/").status_code == 200
    return len(queries)


def test_its_queries_do_not_grow_with_the_trainees(client, cohort, tom, curriculum, gangseo, open_round):
    enroll_trainees(cohort, 2)
    small = _count(client, tom)
    trainees = enroll_trainees(cohort, 40)
    with time_machine.travel(MEETING_DAY):
        services.attendance_save(cohort=cohort, day=MEETING_DAY, actor=tom, exceptions={trainees[0].pk: "late"})
    big = _count(client, tom)
    # A second cohort costs the four reads of its progress, whatever its size.
    second = Cohort.objects.create(
        number=8, branch=gangseo, curriculum=curriculum, round=open_round, starts_on=date(2027, 1, 4), capacity=3
    )
    second.trainers.add(tom)
    two = _count(client, tom)
    assert (small, big, two - big) == (small, small, 4)
