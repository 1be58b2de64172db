"""The retention job: personal data of closed applications is destroyed in place, once, on time."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from recruiting import services
from recruiting.funnel import round_funnel
from recruiting.models import Applicant, ApplicantConsent, ApplicantNote, ApplicantStatus
from recruiting.services import ANONYMISED_NAME
from recruiting.tests.factories import make_applicant, walk_to

PERSONAL = ("이서연", "01012345678", "seoyeon@example.com", "전화 통화 선호")


@pytest.fixture
def closed(open_round, alice):
    """An application rejected now, with a staff note and an event note."""
    applicant = make_applicant(open_round)
    ApplicantNote.objects.create(applicant=applicant, author=alice, text="전화 통화 선호")
    services.applicant_reject(applicant=applicant, actor=alice, reason="schedule", note="전화 통화 선호")
    return Applicant.objects.get(pk=applicant.pk)


def _row_text(applicant: Applicant) -> str:
    fresh = Applicant.objects.get(pk=applicant.pk)
    texts = [str(value) for value in Applicant.objects.filter(pk=fresh.pk).values().get().values()]
    texts += list(fresh.events.values_list("note", flat=True)) + list(fresh.staff_notes.values_list("text", flat=True))
    return " ".join(texts)


def test_it_waits_for_the_retention_period(closed, settings):
    settings.APPLICANT_RETENTION_DAYS = 180
    with time_machine.travel(timezone.now() + timedelta(days=179)):
        assert services.applicants_anonymise_due() == 0
    assert "이서연" in _row_text(closed)


def test_it_destroys_the_personal_data_after_the_period_and_only_once(closed, open_round, settings):
    settings.APPLICANT_RETENTION_DAYS = 180
    live = make_applicant(open_round, mobile="01099990000", email="live@example.com", name="김민지")
    token = closed.status_token
    with time_machine.travel(timezone.now() + timedelta(days=181)):
        assert services.applicants_anonymise_due() == 1
        assert services.applicants_anonymise_due() == 0
    text = _row_text(closed)
    for personal in PERSONAL:
        assert personal not in text
    anonymised = Applicant.objects.get(pk=closed.pk)
    assert anonymised.name == ANONYMISED_NAME
    assert anonymised.status == ApplicantStatus.REJECTED
    assert anonymised.anonymised_at is not None
    assert anonymised.status_token != token
    assert anonymised.events.latest("pk").note == "보존 기간이 지나 개인정보를 파기했습니다."
    # What holds no personal data stays: consents with their versions, the stages passed.
    assert ApplicantConsent.objects.filter(applicant=closed).count() == 3
    assert Applicant.objects.get(pk=live.pk).name == "김민지"


def test_counts_and_funnels_stay_true(closed, open_round, settings):
    before = round_funnel(round=open_round, applicants=Applicant.objects.all())["overall"]
    with time_machine.travel(timezone.now() + timedelta(days=400)):
        services.applicants_anonymise_due()
    after = round_funnel(round=open_round, applicants=Applicant.objects.all())["overall"]
    assert after == before
    assert (after.applicants, after.rejected) == (1, 1)


def test_a_deletion_request_is_honoured_at_the_next_run(open_round, client, django_capture_on_commit_callbacks):
    applicant = make_applicant(open_round)
    with django_capture_on_commit_callbacks(execute=True):
        services.applicant_request_deletion(applicant=applicant)
    assert services.applicants_anonymise_due() == 1
    assert Applicant.objects.get(pk=applicant.pk).email == ""
    assert client.get(f"/status/{applicant.status_token}/").status_code == 404
    # The withdrawal confirmation went out before the address was destroyed.
    assert [m.to for m in mail.outbox][-1] == ["seoyeon@example.com"]


def test_live_and_enrolled_applications_are_kept(open_round, settings):
    live = make_applicant(open_round)
    enrolled = make_applicant(open_round, mobile="01099990000")
    walk_to(enrolled, ApplicantStatus.ENROLLED)
    services.applicant_request_deletion(applicant=enrolled)
    with time_machine.travel(timezone.now() + timedelta(days=1000)):
        assert services.applicants_anonymise_due() == 0
    assert Applicant.objects.get(pk=live.pk).name == "이서연"
