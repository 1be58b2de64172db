"""Applying again with a mobile that already has a live application in the round."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from recruiting import services
from recruiting.models import Applicant, Notification, NotificationKind

pytestmark = pytest.mark.django_db

STRANGER = {"name": "김모르", "email": "stranger@example.com"}


def _submit(client, url, data, capture):
    with capture(execute=True):
        response = client.post(url, data)
    return response, client.get(response["Location"]).content.decode() if response.status_code == 302 else ""


def _an_hour_later() -> None:
    # Within a couple of minutes a second submit is a double click, answered by the first confirmation.
    Applicant.objects.update(created_at=timezone.now() - timedelta(hours=1))


def _main(html: str) -> str:
    return html.split("<main")[1].split("</main>")[0]


def test_a_duplicate_and_a_new_application_get_the_same_honest_page(
    apply_url, form_data, django_capture_on_commit_callbacks
):
    _first, new_page = _submit(Client(), apply_url, form_data, django_capture_on_commit_callbacks)
    _an_hour_later()
    mail.outbox.clear()
    response, duplicate_page = _submit(
        Client(), apply_url, {**form_data, **STRANGER}, django_capture_on_commit_callbacks
    )
    # Nobody learns from the page whether this number had applied: one page for both.
    assert _main(new_page) == _main(duplicate_page)
    assert "이미 지원서가 있다면" in duplicate_page
    assert "처음 등록된 이메일 주소로 다시 보냈습니다" in duplicate_page
    # And it is not pretence: the link goes to the address on file, never to the one typed.
    (message,) = mail.outbox
    assert message.to == ["seoyeon@example.com"]
    applicant = Applicant.objects.get()
    assert f"/status/{applicant.status_token}/" in message.body
    assert "다시 지원" in message.body
    assert (applicant.name, applicant.email) == ("이서연", "seoyeon@example.com")


def test_the_resent_link_keeps_to_the_lost_link_limits(
    apply_url, form_data, settings, django_capture_on_commit_callbacks
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "apply:mobile": (50, 3600)}
    _submit(Client(), apply_url, form_data, django_capture_on_commit_callbacks)
    _an_hour_later()
    pages = [
        _submit(Client(REMOTE_ADDR=f"10.0.0.{n}"), apply_url, form_data, django_capture_on_commit_callbacks)[1]
        for n in range(5)
    ]
    assert len(set(_main(page) for page in pages)) == 1
    # Three links an hour per number, like 'I lost my link'; the page answers the same after.
    assert Notification.objects.filter(kind=NotificationKind.DUPLICATE_APPLICATION).count() == 3
    assert Applicant.objects.count() == 1


def test_after_a_withdrawal_applying_again_makes_a_new_application(
    apply_url, form_data, django_capture_on_commit_callbacks
):
    # A withdrawn application is not live: applying again makes a new one, with its own confirmation.
    _submit(Client(), apply_url, form_data, django_capture_on_commit_callbacks)
    services.applicant_withdraw(applicant=Applicant.objects.get())
    mail.outbox.clear()
    _submit(Client(), apply_url, form_data, django_capture_on_commit_callbacks)
    assert Applicant.objects.count() == 2
    assert [m.subject for m in mail.outbox] == ["[CS RC] 지원서가 접수되었습니다"]


def test_a_double_click_sends_no_second_email(apply_url, form_data, django_capture_on_commit_callbacks):
    _submit(Client(), apply_url, form_data, django_capture_on_commit_callbacks)
    _submit(Client(), apply_url, form_data, django_capture_on_commit_callbacks)
    assert [m.subject for m in mail.outbox] == ["[CS RC] 지원서가 접수되었습니다"]
