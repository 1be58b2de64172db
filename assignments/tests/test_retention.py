"""Every state a person can be in has an end: her personal data is destroyed on time, once, everywhere.

Each scenario walks one person through the services into one state, then lets the days
pass: the day before her record is due nothing of hers is destroyed, the day after no row
of any table and no file still holds her name, mobile, email or registration number.
"""

import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessFailureLog
from django.apps import apps
from django.core import mail
from django.db import models
from django.utils import timezone
from wagtail.log_actions import log

from assignments.models import PoolMember, PoolMemberStatus
from assignments.retention import Rule, people_destroy_due, person_retention, personal_data_retention
from assignments.services import pool_member_leave, pool_member_release, pool_member_take_leave
from core.ledger import destruction_ledger_read
from core.models import DestructionRecord
from curriculum.certificates.services import certificate_issue, certificate_render
from curriculum.models import Certificate, Enrollment, EnrollmentStatus
from curriculum.services import enrollment_enroll, enrollment_leave
from curriculum.tests.factories import make_graduate
from recruiting import services
from recruiting.funnel import round_funnel
from recruiting.models import (
    ANONYMISED_NAME,
    AccessRecord,
    Applicant,
    ApplicantConsent,
    ApplicantNote,
    ApplicantStatus,
    ConsentNotice,
    District,
    Province,
)
from recruiting.tests.factories import walk_to

DAY = timedelta(days=1)


@dataclass
class Person:
    applicant: Applicant
    mobile: str
    email: str
    name: str

    def traces(self) -> list[str]:
        """Return every table field and file that still holds something of hers."""
        needles = [self.name, self.mobile, self.email, f"R-{self.mobile}"]
        found = []
        for model in apps.get_models():
            fields = [
                field.name
                for field in model._meta.concrete_fields
                if isinstance(field, models.CharField | models.TextField | models.JSONField)
            ]
            if not fields:
                continue
            for row in model.objects.values_list(*fields):
                text = " ".join(str(value) for value in row)
                found += [f"{model._meta.label} holds {needle}" for needle in needles if needle in text]
        for certificate in Certificate.objects.filter(enrollment__applicant=self.applicant).exclude(pdf=""):
            found.append(f"certificate file {certificate.pdf.name}")
        return found

    def refresh(self) -> Applicant:
        return Applicant.objects.get(pk=self.applicant.pk)


def make_person(round, number: int, *, talent_pool: bool = False) -> Person:
    """Apply as a phone would, with the required consent and, if asked, the talent pool's."""
    district = District.objects.select_related("branch").get(province=Province.SEOUL, name="강서구")
    name, mobile, email = f"보관{number:02d}", f"0105555{number:04d}", f"keep{number}@example.com"
    applicant, _created = services.applicant_submit(
        round=round,
        name=name,
        mobile=mobile,
        email=email,
        birth_year=1986,
        district=district,
        preferred_branch=district.branch,
        source="referral",
        motivation="아이를 키우면서 일하고 싶습니다",
        consents={
            notice: notice.key == "application" or (talent_pool and notice.key == "talent-pool")
            for notice in ConsentNotice.objects.all()
        },
    )
    return Person(applicant=applicant, mobile=mobile, email=email, name=name)


def _runs(at: datetime) -> int:
    with time_machine.travel(at):
        return personal_data_retention()["destroyed"]


def _assert_kept_until(person: Person, due: datetime) -> None:
    assert _runs(due - DAY) == 0
    assert person.refresh().name == person.name
    assert _runs(due + DAY) == 1
    assert person.traces() == []
    assert _runs(due + 2 * DAY) == 0


@pytest.fixture
def settings_periods(settings):
    settings.APPLICANT_RETENTION_DAYS = 180
    settings.TALENT_POOL_RETENTION_DAYS = 365
    settings.APPLICATION_LAPSE_DAYS = 60
    settings.TRAINING_RECORD_RETENTION_DAYS = 1095
    return settings


@pytest.fixture
def trainee(cohort, hana, settings_periods) -> Person:
    """A person enrolled in the 7기, with a staff note and her registration number on record."""
    person = make_person(cohort.round, 1)
    ApplicantNote.objects.create(applicant=person.applicant, author=hana, text=f"{person.name} 님 전화 선호")
    walk_to(person.applicant, ApplicantStatus.ACCEPTED)
    enrollment = enrollment_enroll(cohort=cohort, applicant=person.refresh(), actor=hana)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        exam_date=date(2027, 3, 20),
        exam_passed=True,
        registered_on=date(2027, 4, 10),
        registration_number=f"R-{person.mobile}",
    )
    return person


def _graduate_with_certificate(person: Person, hana) -> Enrollment:
    enrollment = person.applicant.enrollments.get()
    # The day after the 7기's training ended: a certificate cannot be dated earlier.
    with time_machine.travel(datetime(2027, 4, 5, 10, tzinfo=timezone.get_current_timezone())):
        make_graduate(enrollment, actor=hana)
        certificate = certificate_issue(enrollment=enrollment, actor=hana, render_later=True)
        certificate_render(certificate_id=certificate.pk)
    assert Certificate.objects.get(pk=certificate.pk).pdf
    return Enrollment.objects.get(pk=enrollment.pk)


def test_a_rejected_application_is_destroyed_after_180_days(open_round, alice, settings_periods):
    person = make_person(open_round, 2)
    services.applicant_reject(applicant=person.applicant, actor=alice, reason="schedule", note=f"{person.name} 통화")
    _assert_kept_until(person, person.refresh().closed_at + timedelta(days=180))
    destroyed = person.refresh()
    assert (destroyed.name, destroyed.status) == (ANONYMISED_NAME, ApplicantStatus.REJECTED)
    # What holds no personal data stays: her consents and the stages she passed.
    assert ApplicantConsent.objects.filter(applicant=destroyed).count() == 3


def test_a_withdrawn_application_is_destroyed_after_180_days(open_round, settings_periods):
    person = make_person(open_round, 3)
    services.applicant_withdraw(applicant=person.applicant)
    _assert_kept_until(person, person.refresh().closed_at + timedelta(days=180))


def test_the_talent_pool_keeps_an_ended_application_a_year_from_the_consent(open_round, alice, settings_periods):
    person = make_person(open_round, 4, talent_pool=True)
    services.applicant_reject(applicant=person.applicant, actor=alice, reason="schedule")
    assert person_retention(person.refresh()).rule == Rule.TALENT_POOL
    _assert_kept_until(person, person.applicant.created_at + timedelta(days=365))


def test_an_application_nobody_decided_lapses_then_is_destroyed(
    open_round, settings_periods, django_capture_on_commit_callbacks
):
    person = make_person(open_round, 5)
    closes = datetime.combine(open_round.closes_on, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(closes + timedelta(days=60)):
        assert personal_data_retention()["lapsed"] == 0
    mail.outbox.clear()
    with time_machine.travel(closes + timedelta(days=62)), django_capture_on_commit_callbacks(execute=True):
        assert personal_data_retention()["lapsed"] == 1
        assert personal_data_retention()["lapsed"] == 0
    lapsed = person.refresh()
    assert lapsed.status == ApplicantStatus.LAPSED
    assert [message.to for message in mail.outbox] == [[person.email]]
    assert "마감" in mail.outbox[0].subject
    _assert_kept_until(person, lapsed.closed_at + timedelta(days=180))


def test_an_accepted_person_never_enrolled_lapses_after_the_cohort_started(open_round, settings_periods):
    person = make_person(open_round, 6)
    walk_to(person.applicant, ApplicantStatus.ACCEPTED)
    starts = datetime.combine(open_round.cohort_starts_on, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    # Long after the round closed she is still waiting for her cohort: not lapsed yet.
    with time_machine.travel(starts - DAY):
        assert personal_data_retention()["lapsed"] == 0
    with time_machine.travel(starts + timedelta(days=62)):
        assert personal_data_retention()["lapsed"] == 1
    _assert_kept_until(person, person.refresh().closed_at + timedelta(days=180))


def test_a_deletion_request_on_an_application_is_honoured_at_the_next_run(
    open_round, client, settings_periods, django_capture_on_commit_callbacks
):
    person = make_person(open_round, 7)
    with django_capture_on_commit_callbacks(execute=True):
        services.applicant_request_deletion(applicant=person.applicant)
    assert _runs(timezone.now() + timedelta(hours=1)) == 1
    assert person.traces() == []
    assert client.get(f"/status/{person.applicant.status_token}/").status_code == 404
    # The withdrawal confirmation went out before the address was destroyed.
    assert [m.to for m in mail.outbox][-1] == [person.email]


def test_a_trainee_is_kept_while_in_training_even_when_she_asks(trainee, settings_periods):
    services.applicant_request_deletion(applicant=trainee.refresh())
    kept = trainee.refresh()
    # What only the application needed goes at once; her training record stays.
    assert (kept.motivation, kept.preferred_times) == ("", [])
    assert kept.deletion_requested_at is not None
    assert person_retention(kept).rule == Rule.IN_TRAINING
    assert _runs(timezone.now() + timedelta(days=3650)) == 0
    assert trainee.refresh().name == trainee.name


def test_a_trainee_who_left_is_destroyed_three_years_later(trainee, hana, settings_periods):
    enrollment = trainee.applicant.enrollments.get()
    enrollment_leave(enrollment=enrollment, actor=hana, reason=f"{trainee.name} 님 개인 사정")
    left_at = enrollment.events.get(to_status=EnrollmentStatus.LEFT).created_at
    _assert_kept_until(trainee, left_at + timedelta(days=1095))


def test_a_graduate_never_released_is_destroyed_three_years_after_graduating(
    trainee, hana, settings_periods, django_capture_on_commit_callbacks
):
    enrollment = _graduate_with_certificate(trainee, hana)
    pdf_path = Certificate.objects.get(enrollment=enrollment).pdf.path
    with django_capture_on_commit_callbacks(execute=True):
        _assert_kept_until(trainee, enrollment.graduated_at + timedelta(days=1095))
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.holder_destroyed
    assert not certificate.pdf
    assert not os.path.exists(pdf_path)


def test_a_consultant_is_kept_while_she_works_or_is_on_leave(trainee, hana, settings_periods):
    enrollment = _graduate_with_certificate(trainee, hana)
    member, _created = pool_member_release(enrollment=enrollment, actor=hana)
    assert _runs(timezone.now() + timedelta(days=3650)) == 0
    pool_member_take_leave(member=member, actor=hana, reason="육아휴직")
    assert person_retention(trainee.refresh()).rule == Rule.IN_POOL
    assert _runs(timezone.now() + timedelta(days=3650)) == 0
    assert trainee.refresh().name == trainee.name


def test_a_consultant_who_left_is_destroyed_three_years_later(trainee, hana, settings_periods):
    enrollment = _graduate_with_certificate(trainee, hana)
    member, _created = pool_member_release(enrollment=enrollment, actor=hana)
    # HR changed her capacity in the admin: Wagtail's history of it holds her name.
    log(instance=member, action="wagtail.edit", user=hana)
    event = pool_member_leave(member=member, actor=hana, reason=f"{trainee.name} 님 퇴사")
    _assert_kept_until(trainee, event.created_at + timedelta(days=1095))
    assert PoolMember.objects.get(pk=member.pk).status == PoolMemberStatus.LEFT


def test_every_status_has_a_scenario_above():
    """A new status without a retention scenario fails here: add its rule and its test."""
    covered = {
        "applicant": {
            ApplicantStatus.SUBMITTED,  # lapses
            ApplicantStatus.CONSULTATION_BOOKED,  # lapses from any open stage (same query)
            ApplicantStatus.CONSULTED,
            ApplicantStatus.INTERVIEW,
            ApplicantStatus.ACCEPTED,
            ApplicantStatus.ENROLLED,
            ApplicantStatus.REJECTED,
            ApplicantStatus.WITHDRAWN,
            ApplicantStatus.LAPSED,
        },
        "enrollment": {EnrollmentStatus.ACTIVE, EnrollmentStatus.GRADUATED, EnrollmentStatus.LEFT},
        "pool": {PoolMemberStatus.ACTIVE, PoolMemberStatus.ON_LEAVE, PoolMemberStatus.LEFT},
    }
    assert covered["applicant"] == set(ApplicantStatus.values)
    assert covered["enrollment"] == set(EnrollmentStatus.values)
    assert covered["pool"] == set(PoolMemberStatus.values)


def test_every_open_stage_lapses(open_round, settings_periods):
    people = {}
    for number, status in enumerate(
        [ApplicantStatus.SUBMITTED, ApplicantStatus.CONSULTED, ApplicantStatus.INTERVIEW], start=20
    ):
        people[status] = walk_to(make_person(open_round, number).applicant, status)
    closes = datetime.combine(open_round.closes_on, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(closes + timedelta(days=62)):
        assert personal_data_retention()["lapsed"] == 3
    assert set(Applicant.objects.values_list("status", flat=True)) == {ApplicantStatus.LAPSED}


def test_counts_and_funnels_stay_true(open_round, alice, settings_periods):
    person = make_person(open_round, 8)
    services.applicant_reject(applicant=person.applicant, actor=alice, reason="schedule")
    before = round_funnel(round=open_round, applicants=Applicant.objects.all())["overall"]
    _runs(timezone.now() + timedelta(days=400))
    after = round_funnel(round=open_round, applicants=Applicant.objects.all())["overall"]
    assert after == before
    assert (after.applicants, after.rejected) == (1, 1)


def test_each_destruction_goes_into_the_ledger_without_personal_data(open_round, settings_periods):
    person = make_person(open_round, 9)
    services.applicant_request_deletion(applicant=person.applicant)
    _runs(timezone.now() + timedelta(hours=1))
    [entry] = list(destruction_ledger_read())
    assert (entry.kind, entry.object_id, entry.rule) == ("person", person.applicant.pk, Rule.DELETION_REQUEST)
    assert DestructionRecord.objects.get().object_id == person.applicant.pk
    assert person.name not in settings_periods.DESTRUCTION_LEDGER.read_text()


def test_access_and_sign_in_records_are_deleted_after_two_years(open_round, alice, client, settings_periods):
    person = make_person(open_round, 10)
    services.access_record_write(user=alice, action=AccessRecord.Action.VIEW, applicant=person.applicant)
    client.post("/admin/login/", {"username": "alice", "password": "wrong"})
    assert AccessFailureLog.objects.count() == 1
    with time_machine.travel(timezone.now() + timedelta(days=729)):
        steps = personal_data_retention()
        assert (steps["access_records_deleted"], steps["login_records_deleted"]) == (0, 0)
    with time_machine.travel(timezone.now() + timedelta(days=731)):
        steps = personal_data_retention()
        assert (steps["access_records_deleted"], steps["login_records_deleted"]) == (1, 2)
    assert not AccessFailureLog.objects.exists()


def test_people_destroy_due_alone_is_idempotent(open_round, settings_periods):
    person = make_person(open_round, 11)
    services.applicant_request_deletion(applicant=person.applicant)
    assert people_destroy_due(now=timezone.now() + DAY) == 1
    assert people_destroy_due(now=timezone.now() + DAY) == 0
