"""Certificate PDFs: kept where no URL reaches them, under names nobody can guess, sent only to who may have them."""

import importlib
from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import clear_url_caches, reverse
from django.utils import timezone

from curriculum import services
from curriculum.certificates import services as certificate_services
from curriculum.certificates.storage import private_storage
from curriculum.models import Certificate
from curriculum.tests.factories import make_accepted, make_graduate

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = pytest.mark.usefixtures("module_site")


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def debug_urls(settings):
    """Serve the URLs as in development, where runserver also answers under /media/."""
    settings.DEBUG = True
    importlib.reload(importlib.import_module(settings.ROOT_URLCONF))
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(importlib.import_module(settings.ROOT_URLCONF))
    clear_url_caches()


@pytest.fixture
def certificate(cohort, open_round, hana, media) -> Certificate:
    """A certificate of the 7기 (which ended in April 2027) with its PDF rendered."""
    enrollment = services.enrollment_enroll(
        cohort=cohort, applicant=make_accepted(open_round, 1, name="김민진"), actor=hana
    )
    make_graduate(enrollment, actor=hana)
    with time_machine.travel(date(2027, 4, 10)):
        certificate = certificate_services.certificate_issue(enrollment=enrollment, actor=hana, render_later=False)
        certificate_services.certificate_render(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    return certificate


def _download_path(certificate: Certificate) -> str:
    return reverse("certificates:download", args=[certificate_services.certificate_download_token(certificate)])


def _staff_path(certificate: Certificate) -> str:
    return f"/admin/cohorts/{certificate.enrollment.cohort_id}/certificates/{certificate.pk}/pdf/"


def test_it_keeps_the_pdf_outside_the_media_folder_under_a_random_name(certificate, media):
    path = Path(private_storage().path(certificate.pdf.name)).resolve()
    assert path.is_file()
    assert not path.is_relative_to(media.resolve())
    assert certificate.verification_code not in certificate.pdf.name
    assert f"{certificate.year}-{certificate.serial:04d}" not in certificate.pdf.name


def test_no_media_url_returns_the_pdf_even_in_development(client, certificate, debug_urls):
    name = certificate.pdf.name
    for url in (
        f"/media/{name}",
        f"/media/certificates/{certificate.year}-{certificate.serial:04d}-{certificate.verification_code}.pdf",
        f"/media/../private/{name}",
    ):
        # 400 is Django's answer to a path that climbs out of MEDIA_ROOT.
        assert client.get(url).status_code in (400, 404), url


def test_the_signed_link_sends_the_pdf(client, certificate):
    response = client.get(_download_path(certificate))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


def test_an_expired_or_forged_link_sends_nothing(client, certificate):
    path = _download_path(certificate)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        expired = client.get(path)
    forged = client.get(path[:-3] + "xx/")
    for response in (expired, forged):
        assert response.status_code == 410
        assert response["Content-Type"].startswith("text/html")
        assert "이 링크는 더 이상 쓸 수 없습니다" in response.content.decode()


def test_a_revoked_or_replaced_certificate_is_not_sent_and_the_page_says_why(client, certificate, hana):
    with time_machine.travel(date(2027, 4, 20)):
        path = _download_path(certificate)
        certificate_services.certificate_reissue(certificate=certificate, actor=hana, reason="이름 정정")
        replaced = client.get(path)
        new = Certificate.objects.get(replaces=certificate)
        certificate_services.certificate_render(certificate_id=new.pk)
        new.refresh_from_db()
        certificate_services.certificate_revoke(certificate=new, actor=hana, reason="요건 재확인")
        revoked = client.get(_download_path(new))
    for response in (replaced, revoked):
        assert response.status_code == 410
        assert "이 수료증은 더 이상 유효하지 않습니다" in response.content.decode()


def test_the_staff_view_sends_the_pdf_to_who_may_see_the_cohort(client, certificate, tom, hana, alice, bob):
    for user, expected in ((tom, 200), (hana, 200), (bob, 404), (alice, 302)):
        client.force_login(user)
        response = client.get(_staff_path(certificate))
        assert response.status_code == expected, user.username
        if expected == 200:
            assert response["Content-Type"] == "application/pdf"
            assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_behind_nginx_the_views_hand_the_sending_to_it(client, certificate, hana, settings):
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = "/private-media/"
    client.force_login(hana)
    for path in (_download_path(certificate), _staff_path(certificate)):
        response = client.get(path)
        assert response.status_code == 200
        assert response["X-Accel-Redirect"] == f"/private-media/{certificate.pdf.name}"
        assert response["Content-Type"] == "application/pdf"
        assert response.content == b""


def test_the_migration_moves_public_pdfs_into_the_private_storage(
    certificate, media, django_capture_on_commit_callbacks
):
    old_name = f"certificates/{certificate.year}-{certificate.serial:04d}-{certificate.verification_code}.pdf"
    default_storage.save(old_name, ContentFile(b"%PDF-old"))
    Certificate.objects.filter(pk=certificate.pk).update(pdf=old_name)
    migration = importlib.import_module("curriculum.migrations.0010_private_certificate_files")
    with django_capture_on_commit_callbacks(execute=True):
        migration.move_certificate_pdfs(apps, None)
    certificate.refresh_from_db()
    assert certificate.pdf.name != old_name
    assert certificate.verification_code not in certificate.pdf.name
    assert not default_storage.exists(old_name)
    with private_storage().open(certificate.pdf.name) as moved:
        assert moved.read() == b"%PDF-old"
