"""Every service that keeps typed text refuses a resident registration number and a null character itself.

The forms refuse both too; these tests call the services the way a view that reads the post
itself, a task or a shell would, so the rule holds however the text arrives.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from assignments.errors import PoolError
from assignments.models import PoolMemberStatus
from assignments.services import pool_member_release, pool_member_take_leave
from core.errors import DomainError
from core.validators import RRN_MESSAGE, text_refusal
from curriculum import services as training
from curriculum.certificates.services import certificate_issue, certificate_reissue, certificate_revoke
from curriculum.models import (
    AttendanceChange,
    Certificate,
    CertificateStatus,
    Cohort,
    Curriculum,
    Enrollment,
    EnrollmentStatus,
)
from curriculum.tests.factories import enroll_trainees, make_graduate, start_training
from recruiting import services as recruiting
from recruiting.errors import ApplicationError
from recruiting.models import AccessRecord, Applicant, ApplicantNote, ApplicantStatus, District, Province, Slot
from recruiting.tests.factories import make_applicant, make_slot

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = pytest.mark.usefixtures("module_site")

UNSAFE = pytest.mark.parametrize(
    "text",
    ["주민번호 ８５０１０１－２３４５６７８ 확인", "850101\u200b_2345678", "사유\x00"],
    ids=["full-width RRN", "hidden RRN", "null character"],
)


def _refused(error: pytest.ExceptionInfo[DomainError], text: str) -> bool:
    return str(error.value) == text_refusal(text)


@pytest.fixture
def applicant(open_round) -> Applicant:
    return make_applicant(open_round)


@pytest.fixture
def trainee(open_round, gangseo) -> Enrollment:
    """A trainee two weeks into a running cohort."""
    training.curriculum_install_default()
    cohort = Cohort.objects.create(
        number=1,
        branch=gangseo,
        curriculum=Curriculum.objects.get(),
        round=open_round,
        starts_on=timezone.localdate() - timedelta(days=14),
    )
    (enrollment,) = enroll_trainees(cohort, 1)
    start_training(cohort)
    return enrollment


@pytest.fixture
def certificate(open_round, gangseo, hana, settings, tmp_path) -> Certificate:
    """A valid certificate of a graduate of a cohort that has ended."""
    settings.MEDIA_ROOT = tmp_path
    training.curriculum_install_default()
    cohort = Cohort.objects.create(
        number=2,
        branch=gangseo,
        curriculum=Curriculum.objects.get(),
        round=open_round,
        starts_on=timezone.localdate() - timedelta(days=100),
    )
    (enrollment,) = enroll_trainees(cohort, 1)
    make_graduate(enrollment, actor=hana)
    return certificate_issue(enrollment=enrollment, actor=hana, render_later=False)


@UNSAFE
def test_an_application_refuses_it(open_round, text):
    district = District.objects.get(province=Province.SEOUL, name="강서구")
    with pytest.raises(ApplicationError) as error:
        recruiting.applicant_submit(
            round=open_round,
            name="이서연",
            mobile="01012345678",
            email="seoyeon@example.com",
            birth_year=1986,
            district=district,
            preferred_branch=district.branch,
            source="referral",
            motivation=text,
            consents={},
        )
    assert _refused(error, text)
    assert error.value.field == "motivation"
    assert not Applicant.objects.exists()


@UNSAFE
def test_a_staff_note_refuses_it(applicant, hana, text):
    with pytest.raises(ApplicationError) as error:
        recruiting.applicant_add_note(applicant=applicant, author=hana, text=text)
    assert _refused(error, text)
    assert not ApplicantNote.objects.exists()


@UNSAFE
def test_a_move_refuses_it_in_its_note(applicant, hana, text):
    with pytest.raises(ApplicationError) as error:
        recruiting.applicant_reject(applicant=applicant, actor=hana, reason="other", note=text)
    assert _refused(error, text)
    assert Applicant.objects.get().status == ApplicantStatus.SUBMITTED


@UNSAFE
def test_an_export_refuses_it_in_its_note(hana, text):
    with pytest.raises(ApplicationError) as error:
        recruiting.access_record_write(user=hana, action=AccessRecord.Action.EXPORT, reason="other", note=text)
    assert _refused(error, text)
    assert not AccessRecord.objects.exists()


@UNSAFE
def test_a_slot_refuses_it_as_its_place(gangseo, text):
    slot = make_slot(gangseo)
    slot.place = text
    with pytest.raises(ApplicationError) as error:
        recruiting.slot_update(slot=slot, changed=["place"])
    assert _refused(error, text)
    assert error.value.field == "place"
    slot.refresh_from_db()
    assert slot.place == "5층 상담실"


@UNSAFE
def test_an_email_change_refuses_it(applicant, text):
    with pytest.raises(ApplicationError):
        recruiting.applicant_request_email_change(applicant=applicant, email=f"{text}@example.com")
    assert not applicant.email_changes.exists()


@UNSAFE
def test_the_attendance_sheet_refuses_it_as_the_reason_for_a_change(trainee, hana, text):
    past_day = [day for day in training.meeting_days(trainee.cohort) if day < timezone.localdate()][0]
    with pytest.raises(DomainError) as error:
        training.attendance_save(
            cohort=trainee.cohort, day=past_day, actor=hana, exceptions={trainee.pk: "absent"}, reason=text
        )
    assert _refused(error, text)
    assert not AttendanceChange.objects.exists()


@UNSAFE
def test_an_early_graduation_and_a_leaving_refuse_it_as_their_reason(trainee, hana, text):
    with pytest.raises(DomainError) as early:
        training.enrollment_graduate_early(enrollment=trainee, actor=hana, reason=text)
    with pytest.raises(DomainError) as leaving:
        training.enrollment_leave(enrollment=trainee, actor=hana, reason=text)
    assert _refused(early, text)
    assert _refused(leaving, text)
    trainee.refresh_from_db()
    assert trainee.status == EnrollmentStatus.ACTIVE


@UNSAFE
def test_the_milestones_refuse_it_as_the_registration_number(trainee, hana, text):
    today = timezone.localdate()
    with pytest.raises(DomainError) as error:
        training.enrollment_milestones_update(
            enrollment=trainee,
            actor=hana,
            exam_date=today - timedelta(days=7),
            exam_score=80,
            exam_passed=True,
            registration_hours=Decimal(0),
            registered_on=today,
            registration_number=text,
        )
    assert _refused(error, text)
    assert error.value.field == "registration_number"
    trainee.refresh_from_db()
    assert trainee.registration_number == ""


@UNSAFE
@pytest.mark.parametrize("change", [certificate_revoke, certificate_reissue], ids=["revoke", "reissue"])
def test_a_certificate_refuses_it_as_the_reason_for_revoking_or_reissuing(certificate, hana, change, text):
    with pytest.raises(DomainError) as error:
        change(certificate=certificate, actor=hana, reason=text)
    assert _refused(error, text)
    assert Certificate.objects.get().status == CertificateStatus.VALID


@UNSAFE
def test_the_pool_refuses_it_as_the_reason_for_a_move(certificate, hana, text):
    member, _created = pool_member_release(enrollment=certificate.enrollment)
    with pytest.raises(PoolError) as error:
        pool_member_take_leave(member=member, actor=hana, reason=text)
    assert _refused(error, text)
    member.refresh_from_db()
    assert member.status == PoolMemberStatus.ACTIVE
    assert member.events.count() == 1


def test_a_new_slot_refuses_a_resident_registration_number_as_its_place(client, alice, gangseo):
    # A new slot is saved by the admin's create view, not a service: its form holds the rule.
    client.force_login(alice)
    starts = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    data = {"kind": "consultation", "starts_at": starts, "duration_minutes": 60, "capacity": 2, "branch": gangseo.pk}
    response = client.post("/admin/slots/new/", {**data, "place": "850101 2345678"})
    assert response.status_code == 200
    assert response.context["form"].errors["place"] == [str(RRN_MESSAGE)]
    assert not Slot.objects.exists()


def test_the_revoke_page_asks_again_for_a_refused_reason(client, certificate, hana):
    client.force_login(hana)
    url = f"/admin/cohorts/{certificate.enrollment.cohort_id}/certificates/{certificate.pk}/revoke/"
    response = client.post(url, {"reason": "850101-2345678 본인 요청"})
    assert response.status_code == 200
    assert response.context["error"] == str(RRN_MESSAGE)
    assert Certificate.objects.get().status == CertificateStatus.VALID
