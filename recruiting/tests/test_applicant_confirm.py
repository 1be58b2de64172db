"""No destructive step is preselected or one click away on the applicant's page (issue 10, item 6)."""

import re

import pytest
from django.contrib.messages import get_messages

from recruiting.models import Applicant, ApplicantEvent, ApplicantStatus, Notification, NotificationKind
from recruiting.tests.factories import make_applicant, walk_to

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = pytest.mark.usefixtures("module_site")


@pytest.fixture
def seoyeon(open_round):
    """이서연 applied to the 강서 branch (alice's)."""
    return make_applicant(open_round)


def _move(client, applicant, **data):
    return client.post(f"/admin/applicants/{applicant.pk}/move/", {"expected_status": applicant.status, **data})


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _nothing_happened(applicant, events: int) -> None:
    assert Applicant.objects.get(pk=applicant.pk).status == ApplicantStatus.SUBMITTED
    assert ApplicantEvent.objects.filter(applicant=applicant).count() == events
    assert not Notification.objects.filter(applicant=applicant).exclude(kind=NotificationKind.APPLICATION_RECEIVED)


def test_it_starts_the_stage_choice_empty(client, alice, seoyeon):
    client.force_login(alice)
    page = client.get(f"/admin/applicants/{seoyeon.pk}/").content.decode()
    select = re.search(r'<select name="to".*?</select>', page, re.S).group()
    assert '<option value="" selected>선택하세요</option>' in select
    assert select.count(" selected>") == 1


def test_saving_without_a_stage_says_so(client, alice, seoyeon):
    client.force_login(alice)
    events = seoyeon.events.count()
    response = _move(client, seoyeon, to="")
    assert _messages(response) == ["다음 단계를 고르세요."]
    _nothing_happened(seoyeon, events)


@pytest.mark.parametrize(
    ("data", "what"),
    [
        ({"to": "withdrawn", "note": "본인 요청"}, "철회"),
        ({"to": "rejected", "reason": "schedule"}, "불합격"),
    ],
)
def test_the_first_post_asks_for_confirmation_and_saves_and_sends_nothing(
    client, alice, seoyeon, mailoutbox, django_capture_on_commit_callbacks, data, what
):
    client.force_login(alice)
    events = seoyeon.events.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _move(client, seoyeon, **data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "이서연" in page
    assert what in page
    assert "이메일이 발송됩니다" in page
    assert 'name="confirmed" value="True"' in page
    for key, value in data.items():
        assert f'name="{key}" value="{value}"' in page
    assert callbacks == []
    assert mailoutbox == []
    _nothing_happened(seoyeon, events)


def test_confirming_a_withdrawal_saves_it_and_tells_the_applicant(
    client, alice, seoyeon, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = _move(client, seoyeon, to="withdrawn", note="본인 요청", confirmed="True")
    assert response["Location"] == f"/admin/applicants/{seoyeon.pk}/"
    assert Applicant.objects.get(pk=seoyeon.pk).status == ApplicantStatus.WITHDRAWN
    assert seoyeon.notifications.filter(kind=NotificationKind.WITHDRAWN).count() == 1
    assert [mail.to for mail in mailoutbox] == [["seoyeon@example.com"]]


def test_a_confirmed_rejection_still_needs_its_reason(client, alice, seoyeon):
    client.force_login(alice)
    events = seoyeon.events.count()
    response = _move(client, seoyeon, to="rejected", confirmed="True")
    assert response.status_code == 302
    assert _messages(response) == ["불합격 이유를 고르세요."]
    _nothing_happened(seoyeon, events)


def test_confirming_twice_rejects_once(client, alice, seoyeon, django_capture_on_commit_callbacks):
    client.force_login(alice)
    data = {"to": "rejected", "reason": "schedule", "confirmed": "True", "expected_status": "submitted"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/applicants/{seoyeon.pk}/move/", data)
        second = client.post(f"/admin/applicants/{seoyeon.pk}/move/", data)
    assert "이 지원서는 지금 단계에서 그 단계로 옮길 수 없습니다." in _messages(second)
    assert seoyeon.events.filter(to_status=ApplicantStatus.REJECTED).count() == 1
    assert seoyeon.notifications.filter(kind=NotificationKind.REJECTED).count() == 1


def test_a_forward_step_needs_no_confirmation(client, alice, seoyeon):
    walk_to(seoyeon, ApplicantStatus.CONSULTATION_BOOKED)
    seoyeon.refresh_from_db()
    client.force_login(alice)
    response = _move(client, seoyeon, to="consulted")
    assert response.status_code == 302
    assert Applicant.objects.get(pk=seoyeon.pk).status == ApplicantStatus.CONSULTED


def test_another_branch_gets_no_confirmation_page(client, bob, seoyeon):
    client.force_login(bob)
    assert _move(client, seoyeon, to="withdrawn").status_code == 404
