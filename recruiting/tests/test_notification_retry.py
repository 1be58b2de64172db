"""Claim, then send: a notification is claimed, sent outside any lock, and retried when sending fails."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from core.outbox import CLAIM_TIMEOUT, MAX_ATTEMPTS, RETRY_PAUSES
from recruiting import services
from recruiting.models import Notification
from recruiting.tests.factories import make_applicant

SMTP_DOWN = mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("smtp down"))


def _unsent(open_round) -> Notification:
    notification = Notification.objects.get(applicant=make_applicant(open_round))
    # Outside a test transaction the confirmation went out at commit; make it unsent again.
    Notification.objects.filter(pk=notification.pk).update(sent_at=None)
    mail.outbox.clear()
    return notification


@pytest.mark.django_db
class TestNotificationRetry:
    def test_it_records_a_failed_send_with_its_error_and_next_attempt(self, open_round):
        notification = _unsent(open_round)
        with SMTP_DOWN:
            assert services.notification_send(notification_id=notification.pk) is False
        notification.refresh_from_db()
        assert notification.sent_at is None
        assert notification.send_claimed_at is None
        assert (notification.send_attempts, notification.send_error) == (1, "smtp down")
        assert notification.send_next_attempt_at > timezone.now()

    def test_the_retry_job_sends_a_failed_notification_once(self, open_round):
        notification = _unsent(open_round)
        with SMTP_DOWN:
            services.notification_send(notification_id=notification.pk)
        assert services.notifications_retry_due() == 0
        later = timezone.now() + RETRY_PAUSES[0] + timedelta(seconds=1)
        assert services.notifications_retry_due(now=later) == 1
        assert services.notifications_retry_due(now=later + timedelta(days=1)) == 0
        assert len(mail.outbox) == 1
        notification.refresh_from_db()
        assert notification.sent_at is not None
        assert notification.send_error == ""

    def test_the_pauses_grow_and_it_stops_after_the_last_attempt(self, open_round):
        notification = _unsent(open_round)
        pauses = []
        with SMTP_DOWN:
            services.notification_send(notification_id=notification.pk)
            for _attempt in range(MAX_ATTEMPTS + 2):
                notification.refresh_from_db()
                if notification.send_next_attempt_at is None:
                    break
                pauses.append(notification.send_next_attempt_at - timezone.now())
                services.notifications_retry_due(now=notification.send_next_attempt_at)
        notification.refresh_from_db()
        assert notification.send_attempts == MAX_ATTEMPTS
        assert notification.send_next_attempt_at is None
        assert pauses == sorted(pauses)
        assert len(pauses) == len(RETRY_PAUSES)

    def test_a_claimed_notification_is_not_sent_by_another_worker(self, open_round):
        notification = _unsent(open_round)
        Notification.objects.filter(pk=notification.pk).update(send_claimed_at=timezone.now())
        assert services.notification_send(notification_id=notification.pk) is False
        assert mail.outbox == []

    def test_a_stale_claim_of_a_killed_worker_is_taken_over_by_the_retry_job(self, open_round):
        notification = _unsent(open_round)
        killed_at = timezone.now() - CLAIM_TIMEOUT - timedelta(minutes=1)
        # What a worker killed after claiming leaves behind.
        Notification.objects.filter(pk=notification.pk).update(
            send_claimed_at=killed_at, send_attempts=1, send_next_attempt_at=killed_at + CLAIM_TIMEOUT
        )
        assert services.notifications_retry_due() == 1
        assert len(mail.outbox) == 1
        notification.refresh_from_db()
        assert (notification.send_attempts, notification.send_claimed_at) == (2, None)

    def test_a_new_notification_whose_task_was_lost_is_sent_by_the_retry_job(self, open_round):
        notification = _unsent(open_round)
        assert services.notifications_retry_due() == 0
        assert services.notifications_retry_due(now=notification.send_next_attempt_at) == 1
        assert len(mail.outbox) == 1

    def test_a_notification_without_an_address_is_skipped_and_left_alone(self, open_round):
        notification = _unsent(open_round)
        with mock.patch("recruiting.services.send_templated_email", side_effect=AssertionError("sent")):
            notification.applicant.email = ""
            notification.applicant.save(update_fields=["email"])
            assert services.notification_send(notification_id=notification.pk) is False
        notification.refresh_from_db()
        assert (notification.sent_at, notification.send_next_attempt_at, notification.send_claimed_at) == (
            None,
            None,
            None,
        )

    def test_hr_sends_one_again_from_the_unsent_list_and_the_history_says_who(
        self, open_round, hana, client, django_capture_on_commit_callbacks
    ):
        notification = _unsent(open_round)
        client.force_login(hana)
        assert client.get(f"/admin/unsent-emails/notifications/{notification.pk}/").status_code == 200
        assert mail.outbox == []  # asking is not sending
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/admin/unsent-emails/notifications/{notification.pk}/")
        assert response.status_code == 302
        assert len(mail.outbox) == 1
        resent = notification.applicant.events.latest("pk")
        assert resent.actor == hana
        assert resent.note.startswith("직원이 이메일을 다시 보냈습니다")
