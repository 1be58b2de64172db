"""The applicant's private status page: the stage, the next step, withdrawing, deletion."""

import pytest
from django.core import mail
from django.urls import reverse

from recruiting.models import ApplicantEvent, ApplicantStatus, Notification, NotificationKind
from recruiting.tests.factories import make_applicant

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("module_site")]


@pytest.fixture
def applicant(open_round, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        applicant = make_applicant(open_round)
    mail.outbox.clear()
    return applicant


def _url(name: str, applicant) -> str:
    return reverse(f"recruiting:{name}", args=[applicant.status_token])


def test_it_shows_the_stage_and_the_next_step_in_korean(client, applicant):
    response = client.get(_url("status", applicant))
    html = response.content.decode()
    assert response.status_code == 200
    assert "접수" in html
    assert "3영업일 안에" in html
    assert "지원 철회하기" in html
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("token", ["x" * 43, "short", "%00" * 20])
def test_an_unknown_or_malformed_token_answers_404(client, applicant, token):
    assert client.get(f"/status/{token}/").status_code == 404


def test_withdrawing_asks_first_then_withdraws_once(client, applicant, django_capture_on_commit_callbacks):
    confirm = client.get(_url("status_withdraw", applicant))
    assert "지원을 철회할까요?" in confirm.content.decode()
    applicant.refresh_from_db()
    assert applicant.status == ApplicantStatus.SUBMITTED

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("status_withdraw", applicant), follow=True)
    applicant.refresh_from_db()
    assert applicant.status == ApplicantStatus.WITHDRAWN
    assert "지원을 철회했습니다" in response.content.decode()
    assert ApplicantEvent.objects.filter(applicant=applicant, to_status="withdrawn").count() == 1
    assert len(mail.outbox) == 1
    assert "철회" in mail.outbox[0].subject

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(_url("status_withdraw", applicant), follow=True)
    assert again.status_code == 200
    assert "바꿀 수 없습니다" in again.content.decode()
    assert len(mail.outbox) == 1
    assert "지원 철회하기" not in again.content.decode()


def test_a_deletion_request_is_recorded_once_and_withdraws(client, applicant, django_capture_on_commit_callbacks):
    assert "개인정보를 삭제할까요?" in client.get(_url("status_delete", applicant)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("status_delete", applicant))
        client.post(_url("status_delete", applicant))
    applicant.refresh_from_db()
    assert applicant.deletion_requested_at is not None
    assert applicant.status == ApplicantStatus.WITHDRAWN
    notes = list(applicant.events.values_list("note", flat=True))
    assert notes.count("지원자가 개인정보 삭제를 요청했습니다.") == 1
    assert Notification.objects.filter(applicant=applicant, kind=NotificationKind.WITHDRAWN).count() == 1


def test_the_status_pages_refuse_other_methods(client, applicant):
    assert client.put(_url("status_withdraw", applicant)).status_code == 405
    assert client.delete(_url("status_delete", applicant)).status_code == 405
