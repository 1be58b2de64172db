"""The default curriculum, cohorts and enrollment (입과)."""

import re
import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from curriculum import services
from curriculum.errors import TrainingError
from curriculum.models import Assessment, Cohort, Enrollment, EnrollmentStatus, Module
from curriculum.services import cohort_enroll_accepted, curriculum_install_default, enrollment_enroll
from curriculum.tests.factories import make_accepted
from recruiting.models import Applicant, ApplicantStatus, Branch, RecruitmentRound
from recruiting.tests.factories import make_applicant, walk_to


def test_the_default_curriculum_installs_once_and_keeps_edits(curriculum):
    modules = list(curriculum.modules.values_list("pk", "title"))
    assert len(modules) == 12
    assert curriculum.weeks == 13
    assert {m.area for m in curriculum.modules.all()} == {
        "insurance_finance",
        "communication",
        "customer_management",
        "sales_system",
        "licensing_exam",
    }
    Module.objects.filter(pk=modules[0][0]).update(title="보험의 기초 (개정)")
    assert curriculum_install_default() is False
    assert list(curriculum.modules.values_list("pk", flat=True)) == [pk for pk, _title in modules]
    assert curriculum.modules.first().title == "보험의 기초 (개정)"


def test_every_module_fits_the_13_weeks_and_scores_have_a_pass_mark(curriculum):
    for module in curriculum.modules.all():
        assert 1 <= module.week_start <= module.week_end <= 13
        assert (module.pass_mark is not None) == (module.assessment == Assessment.SCORE)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"assessment": Assessment.SCORE, "pass_mark": None}, "점수로 평가하는 모듈에는 합격 점수가 필요합니다"),
        ({"assessment": Assessment.COMPLETION, "pass_mark": 60}, "점수로 평가하는 모듈에는 합격 점수가 필요합니다"),
        ({"week_start": 5, "week_end": 4}, "시작 주보다 먼저 끝날 수 없습니다"),
        ({"pass_mark": 101, "assessment": Assessment.SCORE}, "100"),
    ],
)
def test_a_module_that_makes_no_sense_is_refused(curriculum, changes, message):
    module = Module(curriculum=curriculum, title="새 모듈", area="communication", week_start=1, week_end=2)
    for field, value in changes.items():
        setattr(module, field, value)
    with pytest.raises(ValidationError, match=message):
        module.full_clean()


def test_a_cohort_lasts_three_months(cohort):
    assert (cohort.starts_on, cohort.ends_on, cohort.field_starts_on) == (
        date(2027, 1, 4),
        date(2027, 4, 3),
        date(2027, 4, 4),
    )


def test_enrolling_an_accepted_applicant_moves_them_to_enrolled(cohort, open_round, hana):
    applicant = make_accepted(open_round, 1)
    enrollment = enrollment_enroll(cohort=cohort, applicant=applicant, actor=hana)
    assert enrollment.status == EnrollmentStatus.ACTIVE
    applicant.refresh_from_db()
    assert applicant.status == ApplicantStatus.ENROLLED
    event = applicant.events.latest("pk")
    assert (event.from_status, event.to_status, event.actor, event.note) == ("accepted", "enrolled", hana, str(cohort))


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("not_accepted", "'면접' 단계의 지원서는 '입과'(으)로 바꿀 수 없습니다."),
        ("other_branch", "이 기수의 모집과 지점에 합격한 지원자만"),
        ("other_round", "이 기수의 모집과 지점에 합격한 지원자만"),
        ("full", "기수 정원이 찼습니다."),
        ("in_another_cohort", "이미 다른 기수에서 교육 중입니다."),
        ("completed", "교육을 마친 기수입니다."),
    ],
)
def test_it_refuses_enrollments_the_rules_do_not_allow(cohort, open_round, curriculum, gangseo, hana, case, message):
    if case == "not_accepted":
        applicant = walk_to(make_applicant(open_round, mobile="01077770001"), ApplicantStatus.INTERVIEW)
    else:
        applicant = make_accepted(open_round, 1)
    if case == "other_branch":
        Applicant.objects.filter(pk=applicant.pk).update(preferred_branch=Branch.objects.get(slug="branch-1"))
        applicant.refresh_from_db()
    elif case == "other_round":
        cohort.round = RecruitmentRound.objects.create(
            title="다른 모집",
            opens_on=date(2026, 1, 1),
            closes_on=date(2026, 2, 1),
            cohort_starts_on=date(2026, 3, 2),
            capacity=5,
        )
        cohort.save()
    elif case == "full":
        for number in range(2, 5):
            enrollment_enroll(cohort=cohort, applicant=make_accepted(open_round, number), actor=hana)
    elif case == "in_another_cohort":
        other = Cohort.objects.create(
            number=8, branch=gangseo, curriculum=curriculum, round=open_round, starts_on=date(2027, 2, 1)
        )
        # A row from before enrolling moved the applicant on: the applicant is still accepted.
        Enrollment.objects.create(cohort=other, applicant=applicant)
    elif case == "completed":
        services.cohorts_advance(today=cohort.ends_on + timedelta(days=1), cohort=cohort)
    before = Enrollment.objects.filter(cohort=cohort).count()
    with pytest.raises(TrainingError, match=re.escape(message)):
        enrollment_enroll(cohort=cohort, applicant=applicant, actor=hana)
    assert Enrollment.objects.filter(cohort=cohort).count() == before


def test_hr_enrolls_every_accepted_applicant_at_once_up_to_the_seats(client, cohort, open_round, hana):
    for number in range(4):
        make_accepted(open_round, number, name=f"지원자{'가나다라'[number]}")
    client.force_login(hana)
    response = client.post(f"/admin/cohorts/{cohort.pk}/enroll/", follow=True)
    texts = [str(m) for m in response.context["messages"]]
    assert texts[0] == "합격자 3명이 기수에 들어왔습니다."
    assert texts[1].endswith("기수 정원이 찼습니다.")
    assert cohort.enrollments.count() == 3


def test_trainers_see_only_their_cohorts_and_recruiters_none(
    client, cohort, curriculum, gangseo, open_round, tom, alice
):
    Cohort.objects.create(number=9, branch=gangseo, curriculum=curriculum, round=open_round, starts_on=date(2027, 3, 2))
    client.force_login(tom)
    assert [c.number for c in client.get("/admin/cohorts/").context["object_list"]] == [7]
    client.force_login(alice)
    assert client.get("/admin/cohorts/").status_code in (302, 403)


def test_cohort_enroll_accepted_reports_who_could_not_join(cohort, open_round, hana):
    make_accepted(open_round, 1)
    joined, problems = cohort_enroll_accepted(cohort=cohort, actor=hana)
    assert (joined, problems) == (1, [])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's locking")
def test_ten_enrollments_at_once_fill_three_seats_exactly(cohort, open_round, hana):
    applicants = [make_accepted(open_round, number) for number in range(10)]
    barrier = threading.Barrier(len(applicants))

    def enroll(applicant):
        try:
            barrier.wait()
            return enrollment_enroll(cohort=cohort, applicant=applicant, actor=hana)
        except TrainingError as error:
            return error
        finally:
            connection.close()

    results: list = []
    threads = [threading.Thread(target=lambda a=a: results.append(enroll(a))) for a in applicants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(isinstance(result, Enrollment) for result in results) == 3
    assert [str(r) for r in results if isinstance(r, TrainingError)] == ["기수 정원이 찼습니다."] * 7
    assert cohort.enrollments.count() == 3
    assert Applicant.objects.filter(status=ApplicantStatus.ENROLLED).count() == 3


def test_the_cohort_page_offers_enrollment_to_hr(client, cohort, hana):
    client.force_login(hana)
    page = client.get(f"/admin/cohorts/edit/{cohort.pk}/").content.decode()
    assert "정원 3명 중 0명이 들어왔습니다." in page
    assert f'action="/admin/cohorts/{cohort.pk}/enroll/"' in page
