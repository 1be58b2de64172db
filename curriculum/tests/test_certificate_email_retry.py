"""A certificate email that fails is not lost: it is retried, and HR can send it again from the unsent list."""

from datetime import date, timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from core.outbox import MAX_ATTEMPTS, RETRY_PAUSES
from curriculum import services
from curriculum.certificates import services as certificate_services
from curriculum.models import Certificate
from curriculum.tests.factories import make_accepted, make_graduate

SMTP_DOWN = mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("smtp down"))


@pytest.fixture
def issued(cohort, open_round, hana, settings, tmp_path) -> Certificate:
    """A certificate of the 7기 (which ended in April 2027), issued but neither rendered nor emailed."""
    settings.MEDIA_ROOT = tmp_path / "media"
    enrollment = services.enrollment_enroll(
        cohort=cohort, applicant=make_accepted(open_round, 1, name="김민진"), actor=hana
    )
    make_graduate(enrollment, actor=hana)
    with time_machine.travel(date(2027, 4, 10)):
        return certificate_services.certificate_issue(enrollment=enrollment, actor=hana, render_later=False)


def _render_with_the_mail_server_down(certificate: Certificate) -> Certificate:
    with SMTP_DOWN:
        certificate_services.certificate_render(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    return certificate


@pytest.mark.django_db
class TestCertificateEmailRetry:
    def test_it_keeps_the_pdf_and_records_the_failure_when_sending_fails(self, issued):
        certificate = _render_with_the_mail_server_down(issued)
        assert certificate.pdf
        assert certificate.emailed_at is None
        assert certificate.send_error == "smtp down"
        assert certificate.send_attempts == 1
        assert certificate.send_claimed_at is None
        assert certificate.send_next_attempt_at > timezone.now()

    def test_it_sends_a_failed_email_once_on_a_later_retry(self, issued):
        certificate = _render_with_the_mail_server_down(issued)
        mail.outbox.clear()
        assert certificate_services.certificate_emails_retry_due() == 0  # not due yet
        later = timezone.now() + RETRY_PAUSES[0] + timedelta(seconds=1)
        assert certificate_services.certificate_emails_retry_due(now=later) == 1
        assert certificate_services.certificate_emails_retry_due(now=later) == 0
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == [certificate.enrollment.applicant.email]
        certificate.refresh_from_db()
        assert certificate.emailed_at is not None
        assert certificate.send_error == ""

    def test_it_gives_up_after_the_last_attempt_and_lists_it_as_unsent(self, issued):
        certificate = _render_with_the_mail_server_down(issued)
        with SMTP_DOWN:
            for _attempt in range(MAX_ATTEMPTS - 1):
                certificate_services.certificate_emails_retry_due(now=timezone.now() + timedelta(days=1))
        certificate.refresh_from_db()
        assert certificate.send_attempts == MAX_ATTEMPTS
        assert certificate.send_next_attempt_at is None
        assert certificate_services.certificate_emails_retry_due(now=timezone.now() + timedelta(days=30)) == 0

    def test_it_renders_and_emails_a_certificate_whose_worker_died_before_rendering(self, issued):
        # Its first look is due a while after issuing, when the queued render should have run.
        assert certificate_services.certificate_emails_retry_due(now=issued.send_next_attempt_at) == 1
        issued.refresh_from_db()
        assert issued.pdf
        assert issued.emailed_at is not None
        assert len(mail.outbox) == 1

    def test_it_does_not_email_a_revoked_certificate(self, issued, hana):
        certificate_services.certificate_revoke(certificate=issued, actor=hana, reason="잘못 발급")
        assert certificate_services.certificate_emails_retry_due(now=issued.send_next_attempt_at) == 0
        assert mail.outbox == []


@pytest.mark.django_db
class TestUnsentList:
    def test_it_shows_a_failed_certificate_email_to_hr_who_sends_it_again(
        self, issued, hana, client, django_capture_on_commit_callbacks
    ):
        certificate = _render_with_the_mail_server_down(issued)
        with SMTP_DOWN:
            for _attempt in range(MAX_ATTEMPTS - 1):
                certificate_services.certificate_emails_retry_due(now=timezone.now() + timedelta(days=1))
        mail.outbox.clear()
        client.force_login(hana)
        listing = client.get("/admin/unsent-emails/")
        assert listing.status_code == 200
        assert list(listing.context["certificates"]) == [certificate]
        assert certificate.number in listing.content.decode()
        confirm = client.get(f"/admin/unsent-emails/certificates/{certificate.pk}/")
        assert confirm.status_code == 200
        assert mail.outbox == []  # asking is not sending
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/admin/unsent-emails/certificates/{certificate.pk}/")
        assert response.status_code == 302
        assert len(mail.outbox) == 1
        certificate.refresh_from_db()
        assert certificate.emailed_at is not None
        assert list(client.get("/admin/unsent-emails/").context["certificates"]) == []
        # The certificate's history says who sent it again.
        resent = certificate.events.latest("pk")
        assert (resent.actor, resent.note) == (hana, "직원이 수료증 이메일을 다시 보냈습니다.")
