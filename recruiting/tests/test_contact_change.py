"""The applicant corrects her email or mobile on the status page."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from recruiting.models import Applicant, EmailChange
from recruiting.tests.factories import make_applicant

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("module_site")]


@pytest.fixture
def applicant(open_round, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        applicant = make_applicant(open_round)
    mail.outbox.clear()
    return applicant


def _url(applicant) -> str:
    return reverse("recruiting:status_contact", args=[applicant.status_token])


def _post(client, applicant, capture, **changes):
    data = {"email": applicant.email, "mobile": applicant.mobile_display, **changes}
    with capture(execute=True):
        return client.post(_url(applicant), data, follow=True)


def test_an_email_change_takes_effect_only_once_confirmed_at_the_new_address(
    client, applicant, django_capture_on_commit_callbacks
):
    response = _post(client, applicant, django_capture_on_commit_callbacks, email="New.Mail@Example.com")
    assert "new.mail@example.com" in response.content.decode()
    assert Applicant.objects.get(pk=applicant.pk).email == "seoyeon@example.com"
    (message,) = mail.outbox
    assert message.to == ["new.mail@example.com"]
    link = re.search(r"https?://\S+/contact/confirm/\S+/", message.body).group(0)
    path = link.split("127.0.0.1", 1)[-1].split(":8000", 1)[-1]
    path = path[path.index("/status/") :]
    # Opening the link asks first: mail scanners that follow links change nothing.
    assert "이메일 주소 확인" in client.get(path).content.decode()
    assert Applicant.objects.get(pk=applicant.pk).email == "seoyeon@example.com"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path)
    assert Applicant.objects.get(pk=applicant.pk).email == "new.mail@example.com"
    # A link is good once.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(path, follow=True)
    assert "이미 사용했거나" in again.content.decode()


def test_a_confirmation_link_works_only_with_its_own_status_link(
    client, applicant, open_round, django_capture_on_commit_callbacks
):
    _post(client, applicant, django_capture_on_commit_callbacks, email="new@example.com")
    change = EmailChange.objects.get()
    other = make_applicant(open_round, mobile="01099990000", email="other@example.com")
    url = reverse("recruiting:status_contact_confirm", args=[other.status_token, change.token])
    client.post(url)
    assert Applicant.objects.get(pk=applicant.pk).email == "seoyeon@example.com"
    assert Applicant.objects.get(pk=other.pk).email == "other@example.com"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "seoyeon@"}, "올바른 이메일"),
        ({"email": "8603152345678@example.com"}, "주민등록번호는 입력하지 마세요"),
        ({"mobile": "02-2187-2663"}, "휴대전화 번호를 입력해"),
        ({"mobile": "없음"}, "휴대전화 번호를 입력해"),
        ({"mobile": "860315-2345678"}, "주민등록번호는 입력하지 마세요"),
        ({"email": "", "mobile": ""}, "필수 작성 항목입니다"),
    ],
)
def test_bad_contact_details_are_refused_in_korean_and_nothing_changes(
    client, applicant, changes, message, django_capture_on_commit_callbacks
):
    response = _post(client, applicant, django_capture_on_commit_callbacks, **changes)
    assert message in response.content.decode()
    fresh = Applicant.objects.get(pk=applicant.pk)
    assert (fresh.email, fresh.mobile) == ("seoyeon@example.com", "01012345678")
    assert not EmailChange.objects.exists()
    assert mail.outbox == []


def test_a_mobile_change_is_saved_and_confirmed_by_email(client, applicant, django_capture_on_commit_callbacks):
    response = _post(client, applicant, django_capture_on_commit_callbacks, mobile="010 5555 6666")
    assert Applicant.objects.get(pk=applicant.pk).mobile == "01055556666"
    assert "휴대전화 번호를 바꿨습니다" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["seoyeon@example.com"]
    assert "010-5555-6666" in message.body


def test_a_mobile_taken_by_a_live_application_of_the_round_is_refused_clearly(
    client, applicant, open_round, django_capture_on_commit_callbacks
):
    make_applicant(open_round, mobile="01099990000", email="other@example.com")
    mail.outbox.clear()
    response = _post(client, applicant, django_capture_on_commit_callbacks, mobile="010-9999-0000")
    assert "이 번호로 진행 중인 다른 지원서가 있어" in response.content.decode()
    assert Applicant.objects.get(pk=applicant.pk).mobile == "01012345678"
    assert mail.outbox == []


def test_nothing_changed_says_so(client, applicant, django_capture_on_commit_callbacks):
    response = _post(client, applicant, django_capture_on_commit_callbacks)
    assert "바뀐 내용이 없습니다" in response.content.decode()
    assert mail.outbox == []
