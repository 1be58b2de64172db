"""Rotating SECRET_KEY with the old one in SECRET_KEY_FALLBACKS keeps the links already emailed working."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse
from django_q.conf import Conf
from django_q.signing import BadSignature, SignedPackage

from curriculum import services
from curriculum.certificates import services as certificate_services
from curriculum.models import Certificate
from curriculum.tests.factories import make_accepted, make_graduate
from recruiting.tests.factories import make_applicant

OLD_KEY = "the-key-of-last-year-" + "x" * 40
NEW_KEY = "the-key-of-this-year-" + "y" * 40


@pytest.fixture
def certificate(cohort, open_round, hana, settings, tmp_path) -> Certificate:
    settings.MEDIA_ROOT = tmp_path / "media"
    enrollment = services.enrollment_enroll(
        cohort=cohort, applicant=make_accepted(open_round, 1, name="김민진"), actor=hana
    )
    make_graduate(enrollment, actor=hana)
    with time_machine.travel(date(2027, 4, 10)):
        certificate = certificate_services.certificate_issue(enrollment=enrollment, actor=hana, render_later=False)
        certificate_services.certificate_render(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    return certificate


def _rotate(settings, *, fallbacks: list[str]) -> None:
    settings.SECRET_KEY = NEW_KEY
    settings.SECRET_KEY_FALLBACKS = fallbacks


def _download_path_signed_with_the_old_key(settings, certificate: Certificate) -> str:
    settings.SECRET_KEY = OLD_KEY
    return reverse("certificates:download", args=[certificate_services.certificate_download_token(certificate)])


def test_a_download_link_of_the_old_key_works_while_it_is_a_fallback(client, certificate, settings):
    path = _download_path_signed_with_the_old_key(settings, certificate)
    _rotate(settings, fallbacks=[OLD_KEY])
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_a_download_link_of_the_old_key_stops_once_the_fallback_is_dropped(client, certificate, settings):
    path = _download_path_signed_with_the_old_key(settings, certificate)
    _rotate(settings, fallbacks=[])
    response = client.get(path)
    assert response.status_code == 410
    assert "이 링크는 더 이상 쓸 수 없습니다" in response.content.decode()


def test_the_status_link_is_a_random_token_no_key_signs(client, open_round, settings):
    settings.SECRET_KEY = OLD_KEY
    applicant = make_applicant(open_round)
    _rotate(settings, fallbacks=[])
    assert client.get(reverse("recruiting:status", args=[applicant.status_token])).status_code == 200


def test_the_task_queue_ignores_the_fallbacks(monkeypatch, settings):
    # Why README says to drain the queue before a rotation: django-q signs each queued
    # task with SECRET_KEY and checks it against that key alone, and drops a task that
    # fails. If this starts failing, django-q reads fallbacks and the step can go.
    monkeypatch.setattr(Conf, "SECRET_KEY", OLD_KEY)
    queued = SignedPackage.dumps({"func": "recruiting.services.notification_send"})
    monkeypatch.setattr(Conf, "SECRET_KEY", NEW_KEY)
    _rotate(settings, fallbacks=[OLD_KEY])
    with pytest.raises(BadSignature):
        SignedPackage.loads(queued)
