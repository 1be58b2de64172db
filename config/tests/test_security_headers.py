"""Every page carries a Content-Security-Policy and a Permissions-Policy, and oversized bodies are refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.documents import get_document_model

from core.roles import Role
from recruiting.tests.factories import make_staff

TOO_LARGE = 11 * 1024 * 1024


@pytest.mark.parametrize("path", ["/", "/apply/", "/admin/login/"])
def test_every_page_carries_both_policies(client, site, path):
    response = client.get(path)

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_the_public_site_allows_no_inline_script_or_style(client, site):
    policy = dict(
        directive.strip().split(" ", 1) for directive in client.get("/apply/")["Content-Security-Policy"].split(";")
    )

    assert "unsafe-inline" not in policy["script-src"]
    assert "unsafe-inline" not in policy["style-src"]


def test_the_admin_allows_inline_script_and_style_for_wagtail_only(client, site):
    policy = client.get("/admin/login/")["Content-Security-Policy"]

    assert "unsafe-inline" in policy
    assert "unsafe-eval" not in policy


def test_a_too_large_application_is_refused_without_a_500(client, form_data, apply_url):
    response = client.post(apply_url, {**form_data, "attachment": SimpleUploadedFile("big.pdf", b"0" * TOO_LARGE)})

    assert response.status_code == 413
    assert "10MB" in response.content.decode()


def test_a_too_large_document_is_refused_and_nothing_is_saved(client, roles):
    client.force_login(make_staff("erin", Role.EDITOR))

    response = client.post(
        "/admin/documents/add/",
        {"title": "큰 파일", "file": SimpleUploadedFile("big.pdf", b"0" * TOO_LARGE), "collection": "1"},
    )

    assert response.status_code == 413
    assert not get_document_model().objects.exists()


def test_an_upload_within_the_limit_goes_through(client, roles):
    client.force_login(make_staff("erin", Role.EDITOR))

    response = client.post(
        "/admin/documents/add/",
        {"title": "안내문", "file": SimpleUploadedFile("guide.pdf", b"%PDF-1.4 small"), "collection": "1"},
    )

    assert response.status_code == 302
    assert get_document_model().objects.count() == 1
