"""Each notification is sent exactly once, however often its task runs."""

import re
from unittest import mock

import pytest
from django.core import mail

from recruiting import services
from recruiting.models import Notification
from recruiting.tests.factories import make_applicant

pytestmark = pytest.mark.django_db


def test_running_the_task_twice_sends_one_email(open_round):
    applicant = make_applicant(open_round)  # on_commit callbacks are not run here
    notification = Notification.objects.get(applicant=applicant)
    assert services.notification_send(notification_id=notification.pk) is True
    assert services.notification_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.sent_at is not None


def test_a_failed_send_is_not_marked_and_a_retry_sends(open_round):
    notification = Notification.objects.get(applicant=make_applicant(open_round))
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("smtp down")):
        assert services.notification_send(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.sent_at is None
    assert notification.send_error == "smtp down"
    assert services.notification_send(notification_id=notification.pk) is True
    assert len(mail.outbox) == 1


def test_the_email_is_korean_with_a_text_and_an_html_part(open_round):
    applicant = make_applicant(open_round)
    services.notification_send(notification_id=Notification.objects.get(applicant=applicant).pk)
    message = mail.outbox[0]
    assert message.subject == "[CS RC] 지원서가 접수되었습니다"
    assert "이서연 님, 안녕하세요." in message.body
    assert re.search(r"\d{4}년 \d{1,2}월 \d{1,2}일", message.body)
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f"/status/{applicant.status_token}/" in html
