"""Every public URL answers HEAD as it answers GET, without a body (RFC 9110, 9.3.2).

One row per public URL: every URL outside the admin, every page type and every route of
a routable page. The walk fails when a new one has no row, so a new public page cannot
ship answering HEAD with a 405. Both methods go through the middleware stack as a
server calls it: Django's test client drops a HEAD body itself, so it would hide the
body that makes gunicorn log "WSGI app sent body bytes on a no-body response".
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.handlers.base import BaseHandler
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.test import RequestFactory, override_settings
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, Page, PageViewRestriction, get_page_models

from assignments.services import pool_member_release
from cms.tests.sitetree import build_site
from core.roles import Role, install_role_groups
from curriculum.certificates.services import certificate_download_token, certificate_issue, certificate_render
from curriculum.models import Cohort, Curriculum
from curriculum.services import curriculum_install_default, enrollment_enroll
from curriculum.tests.factories import make_graduate
from recruiting import services
from recruiting.consent_defaults import install_default_notices
from recruiting.models import ApplicantStatus, RecruitmentRound
from recruiting.tests.factories import make_applicant, make_slot, make_staff, walk_to

pytestmark = pytest.mark.django_db

# Public URLs that need no row, and why.
EXEMPT = {
    # Media are served by the proxy in production; runserver serves them only with DEBUG on.
    "^media/(?P<path>.*)$",
}

# Headers that must be the same for GET and HEAD; cookies and the page cache's hit or
# miss may differ between two requests.
SAME_HEADERS = (
    "Allow",
    "Cache-Control",
    "Content-Disposition",
    "Content-Length",
    "Content-Security-Policy",
    "Content-Type",
    "Location",
    "Permissions-Policy",
    "Vary",
    "X-Frame-Options",
)


@dataclass(frozen=True)
class Row:
    url: str
    status: int = 200


def _public_routes() -> set[str]:
    """Return the name of every public URL, page type and route of a routable page."""

    def walk(patterns, prefix="", namespaces=()):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith("admin/"):
                continue
            if isinstance(pattern, URLResolver):
                namespace = (pattern.namespace,) if pattern.namespace else ()
                yield from walk(pattern.url_patterns, route, namespaces + namespace)
            else:
                yield ":".join((*namespaces, pattern.name)) if pattern.name else route

    routes = set(walk(get_resolver().url_patterns)) - EXEMPT
    for model in get_page_models():
        if model is Page:
            continue
        if issubclass(model, RoutablePageMixin):
            # The first route of a pattern answers; a later one of the same pattern (the mixin's
            # own index_route under ApplyPage.apply) is never reached.
            reached = {}
            for route in model.get_subpage_urls():
                reached.setdefault(str(route.pattern), route.name)
            routes |= {f"{model._meta.label}:{name}" for name in reached.values()}
        else:
            routes.add(model._meta.label)
    return routes


@pytest.fixture(scope="module")
def rows(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[dict[str, Row]]:
    """Build the rows once, in a transaction rolled back after the module; each test's changes roll back to it."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        yield _build_rows()
        transaction.set_rollback(True)


def _build_rows() -> dict[str, Row]:
    """Return one row per public URL, each built from data that makes it answer as in real use."""
    site = build_site()
    install_default_notices()
    install_role_groups()
    hr = make_staff("hana", Role.HR)
    branch = site["branch"].branch
    today = timezone.localdate()
    round_ = RecruitmentRound.objects.create(
        title="모집",
        opens_on=today - timedelta(days=7),
        closes_on=today + timedelta(days=7),
        cohort_starts_on=today + timedelta(days=40),
        capacity=10,
    )
    applicant = make_applicant(round_)
    appointment = services.appointment_book(applicant=applicant, slot=make_slot(branch))
    email_change = services.applicant_request_email_change(applicant=applicant, email="new@example.com")
    token = applicant.status_token

    curriculum_install_default()
    # The cohort has ended, so its graduate may hold a certificate.
    curriculum = Curriculum.objects.get()
    cohort = Cohort.objects.create(
        number=1, branch=branch, curriculum=curriculum, round=round_, starts_on=today - timedelta(days=100)
    )
    accepted = walk_to(make_applicant(round_, mobile="01055550000", email="g@example.com"), ApplicantStatus.ACCEPTED)
    certificate = certificate_issue(
        enrollment=make_graduate(enrollment_enroll(cohort=cohort, applicant=accepted, actor=hr), actor=hr), actor=hr
    )
    certificate_render(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    member, _created = pool_member_release(enrollment=certificate.enrollment, actor=hr)

    guide = ContentFile(b"%PDF-1.4 guide", name="guide.pdf")
    document = get_document_model().objects.create(title="안내문", file=guide)
    collection = Collection.get_first_root_node().add_child(name="비공개")
    collection_restriction = CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.PASSWORD, password="secret"
    )
    page_restriction = PageViewRestriction.objects.create(
        page=site["content"], restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )

    pages = {
        "cms.HomePage": Row(site["home"].url),
        "cms.ApplyPage:apply": Row(site["apply"].url),
        "cms.ApplyPage:done": Row(site["apply"].url + "done/"),
        "cms.BranchIndexPage": Row(site["branch_index"].url),
        "cms.BranchPage": Row(site["branch"].url),
        "cms.StoryIndexPage": Row(site["story_index"].url),
        "cms.StoryPage": Row(site["story"].url),
        "cms.TrainingPage": Row(site["training"].url),
        "cms.FaqPage": Row(site["faq"].url),
        # A private page answers with its password form, with the same status as a GET.
        "cms.ContentPage": Row(site["content"].url),
    }
    return {
        **pages,
        "wagtail_serve": Row("/no-such-page/", 404),
        "sitemap.xml": Row("/sitemap.xml"),
        "wagtaildocs_serve": Row(document.url),
        "wagtaildocs_authenticate_with_password": Row(
            reverse("wagtaildocs_authenticate_with_password", args=[collection_restriction.pk])
        ),
        # Wagtail's own /_util/ pages: the password form of a private page posts there.
        "wagtailcore_authenticate_with_password": Row(
            reverse("wagtailcore_authenticate_with_password", args=[page_restriction.pk, site["content"].pk])
        ),
        "wagtailcore_login": Row(reverse("wagtailcore_login")),
        "recruiting:status_link_request": Row(reverse("recruiting:status_link_request")),
        "recruiting:status": Row(reverse("recruiting:status", args=[token])),
        "recruiting:status_withdraw": Row(reverse("recruiting:status_withdraw", args=[token])),
        "recruiting:status_delete": Row(reverse("recruiting:status_delete", args=[token])),
        # Booking is a form on the status page; its URL takes only the POST.
        "recruiting:status_book": Row(reverse("recruiting:status_book", args=[token]), 405),
        "recruiting:status_contact": Row(reverse("recruiting:status_contact", args=[token])),
        "recruiting:status_contact_confirm": Row(
            reverse("recruiting:status_contact_confirm", args=[token, email_change.token])
        ),
        "recruiting:status_cancel_appointment": Row(
            reverse("recruiting:status_cancel_appointment", args=[token, appointment.pk])
        ),
        "certificates:lookup": Row(reverse("certificates:lookup")),
        "certificates:verify": Row(reverse("certificates:verify", args=[certificate.verification_code])),
        "certificates:download": Row(reverse("certificates:download", args=[certificate_download_token(certificate)])),
        # The page that confirms a consultant is real, and a code nobody was given.
        "consultants:lookup": Row(reverse("consultants:lookup")),
        "consultants:verify": Row(reverse("consultants:verify", args=[member.verification_code])),
        "consultants:verify (unknown)": Row(reverse("consultants:verify", args=["ABCDEFGHJKMN"]), 404),
        # The consultant's workspace sends a visitor to its sign-in; a contact and signing out are only posted.
        "workspace:today": Row(reverse("workspace:today"), 302),
        "workspace:customers": Row(reverse("workspace:customers"), 302),
        "workspace:customer": Row(reverse("workspace:customer", args=[1]), 302),
        "workspace:contact_new": Row(reverse("workspace:contact_new", args=[1]), 405),
        "consultant_account:login": Row(reverse("consultant_account:login")),
        "consultant_account:logout": Row(reverse("consultant_account:logout"), 405),
        "consultant_account:password": Row(reverse("consultant_account:password")),
        "consultant_account:password_sent": Row(reverse("consultant_account:password_sent")),
        # A link that is not (or no longer) valid says so, and offers a new one.
        "consultant_account:password_set": Row(reverse("consultant_account:password_set", args=["MQ", "expired"])),
    }


def _answer(method: str, url: str) -> tuple[object, bytes]:
    """Return the response to `method url` from the full middleware stack, and the body a server would send."""
    handler = BaseHandler()
    handler.load_middleware()
    response = handler.get_response(RequestFactory().generic(method, url))
    body = b"".join(response)
    # Closing the response ends the request, which would close the test's database connection;
    # Django's test client keeps it open the same way.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return response, body


def test_every_public_url_has_a_row(rows):
    missing = _public_routes() - set(rows)
    assert not missing, f"give these public URLs a row: {sorted(missing)}"


def test_head_answers_like_get_without_a_body(rows):
    for name, row in rows.items():
        get, get_body = _answer("GET", row.url)
        head, head_body = _answer("HEAD", row.url)

        assert get.status_code == row.status, name
        assert head.status_code == get.status_code, name
        assert head_body == b"", name
        assert {header: head.get(header) for header in SAME_HEADERS} == {
            header: get.get(header) for header in SAME_HEADERS
        }, name
        if row.status == 200:
            assert get_body, name


def test_a_page_from_the_page_cache_answers_head_without_a_body(rows):
    home = rows["cms.HomePage"].url
    _answer("HEAD", home)

    cached, body = _answer("HEAD", home)

    assert cached["X-Wagtail-Cache"] == "hit"
    assert body == b""
