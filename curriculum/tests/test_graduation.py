"""Graduation (수료): never before the cohort ends unless HR decides it, who decided, and what the certificate says."""

from datetime import date

import pytest
import time_machine
from django.db import IntegrityError, transaction

from core.roles import Role
from curriculum import services
from curriculum.certificates import services as certificate_services
from curriculum.errors import TrainingError
from curriculum.models import Assessment, Certificate, CertificateStatus, Enrollment, EnrollmentStatus
from curriculum.progress import cohort_progress
from curriculum.tests.factories import make_accepted, make_graduate
from recruiting.tests.factories import make_staff

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = pytest.mark.usefixtures("module_site")

# The cohort fixture trains from 4 January 2027; its last day is 3 April 2027.
LAST_DAY = date(2027, 4, 3)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _ready(cohort, hana, tom, count: int = 1) -> list[Enrollment]:
    """Enroll `count` trainees who meet every requirement of the gate except, perhaps, the date."""
    enrollments = [
        services.enrollment_enroll(
            cohort=cohort, applicant=make_accepted(cohort.round, number, name=f"교육생{number}"), actor=hana
        )
        for number in range(count)
    ]
    cells = {
        (enrollment.pk, module.pk): ("80" if module.assessment == Assessment.SCORE else "passed")
        for enrollment in enrollments
        for module in cohort.curriculum.modules.filter(is_required=True)
    }
    services.marks_save(cohort=cohort, actor=tom, cells=cells)
    with time_machine.travel(date(2027, 1, 4)):
        services.attendance_save(cohort=cohort, day=date(2027, 1, 4), actor=tom, exceptions={})
    Enrollment.objects.filter(pk__in=[e.pk for e in enrollments]).update(
        exam_date=date(2027, 3, 20), exam_score=80, exam_passed=True, registration_hours=20
    )
    return [Enrollment.objects.get(pk=e.pk) for e in enrollments]


def _missing(cohort, today: date) -> list[list[str]]:
    _modules, report = cohort_progress(cohort, today=today)
    return [trainee.missing for trainee in report]


class TestTheGateWaitsForTheLastDay:
    def test_it_explains_that_the_cohort_has_not_ended(self, cohort, hana, tom):
        _ready(cohort, hana, tom)
        assert _missing(cohort, date(2027, 4, 2)) == [["기수 종료 전 (종료일 2027년 4월 3일)"]]
        assert _missing(cohort, LAST_DAY) == [[]]

    def test_one_trainee_is_refused_before_the_last_day(self, cohort, hana, tom):
        (trainee,) = _ready(cohort, hana, tom)
        with time_machine.travel(date(2026, 11, 30)), pytest.raises(TrainingError, match="기수 종료 전"):
            services.enrollment_graduate(enrollment=trainee, actor=hana)
        assert Enrollment.objects.get(pk=trainee.pk).status == EnrollmentStatus.ACTIVE

    def test_the_whole_cohort_is_refused_before_the_last_day(self, cohort, hana, tom):
        _ready(cohort, hana, tom, 2)
        with time_machine.travel(date(2027, 4, 2)):
            assert services.cohort_graduate_eligible(cohort=cohort, actor=hana) == 0
        assert not Enrollment.objects.filter(status=EnrollmentStatus.GRADUATED).exists()

    def test_on_the_last_day_they_graduate_and_who_decided_is_kept(self, cohort, hana, tom):
        first, second = _ready(cohort, hana, tom, 2)
        with time_machine.travel(LAST_DAY):
            services.enrollment_graduate(enrollment=first, actor=hana)
            assert services.cohort_graduate_eligible(cohort=cohort, actor=hana) == 1
        graduated = Enrollment.objects.filter(status=EnrollmentStatus.GRADUATED)
        assert set(graduated.values_list("graduated_by", flat=True)) == {hana.pk}
        assert set(graduated.values_list("early_graduation_reason", flat=True)) == {""}


class TestTheExamLine:
    def test_no_exam_recorded_is_not_a_failed_exam(self, cohort, hana, tom):
        (trainee,) = _ready(cohort, hana, tom)
        Enrollment.objects.filter(pk=trainee.pk).update(exam_date=None, exam_score=None, exam_passed=False)
        assert _missing(cohort, LAST_DAY) == [["자격시험 결과 미입력"]]
        Enrollment.objects.filter(pk=trainee.pk).update(exam_date=date(2027, 3, 20), exam_score=55)
        assert _missing(cohort, LAST_DAY) == [["자격시험 불합격"]]


class TestEarlyGraduation:
    def test_hr_graduates_early_with_a_reason_that_is_kept(self, cohort, hana, tom, media):
        (trainee,) = _ready(cohort, hana, tom)
        with time_machine.travel(date(2027, 3, 15)):
            services.enrollment_graduate_early(enrollment=trainee, actor=hana, reason="해외 이주로 조기 현장 배치")
            certificate = certificate_services.certificate_issue(enrollment=trainee, actor=hana, render_later=False)
        trainee.refresh_from_db()
        assert (trainee.status, trainee.graduated_by, trainee.early_graduation_reason) == (
            EnrollmentStatus.GRADUATED,
            hana,
            "해외 이주로 조기 현장 배치",
        )
        assert trainee.training_ended_on == date(2027, 3, 15)
        # The certificate states the training they really had, not the cohort's plan.
        days = services.meeting_days(cohort)
        trained = sum(1 for day in days if day <= date(2027, 3, 15))
        assert (certificate.starts_on, certificate.ends_on, certificate.issued_on) == (
            date(2027, 1, 4),
            date(2027, 3, 15),
            date(2027, 3, 15),
        )
        assert certificate.hours == 390 * trained // len(days) < 390

    @pytest.mark.parametrize("reason", ["", "   "])
    def test_a_reason_is_required(self, cohort, hana, tom, reason):
        (trainee,) = _ready(cohort, hana, tom)
        with time_machine.travel(date(2027, 3, 15)), pytest.raises(TrainingError, match="사유를 적어 주세요"):
            services.enrollment_graduate_early(enrollment=trainee, actor=hana, reason=reason)
        assert Enrollment.objects.get(pk=trainee.pk).status == EnrollmentStatus.ACTIVE

    @pytest.mark.parametrize("role", [Role.TRAINER, Role.BRANCH_MANAGER, Role.RECRUITER])
    def test_only_hr_may_decide_it(self, cohort, hana, tom, gangseo, role):
        (trainee,) = _ready(cohort, hana, tom)
        someone = make_staff(f"user-{role.name.lower()}", role, gangseo)
        with time_machine.travel(date(2027, 3, 15)), pytest.raises(TrainingError, match="인사 담당자만"):
            services.enrollment_graduate_early(enrollment=trainee, actor=someone, reason="사유")
        assert Enrollment.objects.get(pk=trainee.pk).status == EnrollmentStatus.ACTIVE

    def test_it_waives_only_the_date(self, cohort, hana, tom):
        (trainee,) = _ready(cohort, hana, tom)
        Enrollment.objects.filter(pk=trainee.pk).update(registration_hours=10)
        with time_machine.travel(date(2027, 3, 15)), pytest.raises(TrainingError, match="등록교육"):
            services.enrollment_graduate_early(enrollment=trainee, actor=hana, reason="사유")
        assert Enrollment.objects.get(pk=trainee.pk).status == EnrollmentStatus.ACTIVE

    def test_after_the_last_day_it_is_an_ordinary_graduation(self, cohort, hana, tom):
        (trainee,) = _ready(cohort, hana, tom)
        with time_machine.travel(LAST_DAY), pytest.raises(TrainingError, match="기수가 끝났습니다"):
            services.enrollment_graduate_early(enrollment=trainee, actor=hana, reason="사유")


class TestCertificateDates:
    def test_no_certificate_before_the_training_ended(self, cohort, hana, tom, media):
        (trainee,) = _ready(cohort, hana, tom)
        # A graduate made before the gate knew the date (an old row) still waits for the last day.
        make_graduate(trainee, actor=hana)
        with time_machine.travel(date(2026, 11, 30)), pytest.raises(TrainingError, match="교육이 끝나기 전"):
            certificate_services.certificate_issue(enrollment=trainee, actor=hana)
        assert not Certificate.objects.exists()
        with time_machine.travel(LAST_DAY):
            certificate = certificate_services.certificate_issue(enrollment=trainee, actor=hana, render_later=False)
        assert (certificate.ends_on, certificate.issued_on, certificate.hours) == (LAST_DAY, LAST_DAY, 390)

    def test_a_reissue_is_never_dated_before_the_training_ended(self, cohort, hana, tom, media):
        (trainee,) = _ready(cohort, hana, tom)
        with time_machine.travel(LAST_DAY):
            services.enrollment_graduate(enrollment=trainee, actor=hana)
            certificate = certificate_services.certificate_issue(enrollment=trainee, actor=hana, render_later=False)
        with time_machine.travel(date(2027, 4, 2)), pytest.raises(TrainingError, match="교육이 끝나기 전"):
            certificate_services.certificate_reissue(certificate=certificate, actor=hana, reason="이름 정정")
        assert Certificate.objects.get().status == CertificateStatus.VALID

    def test_the_database_refuses_a_certificate_dated_before_the_end(self, cohort, hana, tom, media):
        (trainee,) = _ready(cohort, hana, tom)
        with time_machine.travel(LAST_DAY):
            services.enrollment_graduate(enrollment=trainee, actor=hana)
            certificate = certificate_services.certificate_issue(enrollment=trainee, actor=hana, render_later=False)
        with pytest.raises(IntegrityError), transaction.atomic():
            Certificate.objects.filter(pk=certificate.pk).update(issued_on=date(2027, 4, 2))

    def test_revoking_keeps_who_revoked(self, cohort, hana, tom, media):
        (trainee,) = _ready(cohort, hana, tom)
        with time_machine.travel(LAST_DAY):
            services.enrollment_graduate(enrollment=trainee, actor=hana)
            certificate = certificate_services.certificate_issue(enrollment=trainee, actor=hana, render_later=False)
            certificate_services.certificate_revoke(certificate=certificate, actor=hana, reason="요건 재확인")
        certificate.refresh_from_db()
        assert (certificate.status, certificate.revoked_by) == (CertificateStatus.REVOKED, hana)
