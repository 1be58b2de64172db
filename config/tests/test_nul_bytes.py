"""No form of the project saves a null character: each answers with a refusal, never a server error.

PostgreSQL cannot store a null character in text, so one that reached a save was a 500
there. The walk opens every staff page of the URL × role table (which fails when a URL has
no row) and every public page with a form, reads each form as a browser would, and posts
it once per text input with a null character in that input.
"""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import models
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

# The fixture `data` is the URL × role table's test data; the tests take it by that name.
from config.tests.test_staff_access import _rows, data  # noqa: F401
from core.roles import Role
from curriculum.models import Attendance, AttendanceStatus, Cohort
from curriculum.services import meeting_days
from curriculum.tests.factories import enroll_trainees, start_training
from recruiting.models import Applicant

# `data` is built once for the module; each test runs in a transaction rolled back to it.
pytestmark = pytest.mark.django_db

NUL = "\x00"
TEXT_INPUT_TYPES = {"text", "email", "tel", "search", "url", "number", "date", "datetime-local", "time"}
# Wagtail's page editor and image library are Wagtail's forms, not ours; their text fields are
# Django's CharFields, which refuse a null character, and a form read without its scripts
# cannot rebuild their StreamFields.
WAGTAIL_OWN = {"edit home page", "add a story", "images"}
# Rows of the table that answer with a file, not a page with forms.
NOT_PAGES = {
    "cohorts:certificate_pdf",
    # The progress of an import and the status of a plan, polled as JSON; a refused-rows CSV.
    "book_imports:progress",
    "book_imports:error_report",
    "assignment_runs:status",
    # The PDF of a plan's letters to customers.
    "assignment_runs:letters",
}


class _Forms(HTMLParser):
    """Collect the forms of a page: their method, action, fields with the values shown, and text inputs."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._textarea: str | None = None
        self._select: str | None = None
        # The selects that have their value: a browser sends the first option unless another is selected.
        self._chosen: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            method = (attrs.get("method") or "get").lower()
            self.forms.append({"method": method, "action": attrs.get("action") or "", "data": {}, "text": []})
            return
        if not self.forms or "name" not in attrs:
            if tag == "option" and self._select and ("selected" in attrs or self._select not in self._chosen):
                self.forms[-1]["data"][self._select] = attrs.get("value", "")
                self._chosen.add(self._select)
            return
        form, name = self.forms[-1], attrs["name"]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    form["data"][name] = attrs.get("value", "on")
            elif kind not in ("submit", "button", "file", "image", "reset"):
                form["data"][name] = attrs.get("value") or ""
                if kind in TEXT_INPUT_TYPES:
                    form["text"].append(name)
        elif tag == "textarea":
            form["data"][name] = ""
            form["text"].append(name)
            self._textarea = name
        elif tag == "select":
            form["data"].setdefault(name, "")
            self._select = name
            self._chosen.discard(name)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, content):
        if self._textarea and self.forms:
            self.forms[-1]["data"][self._textarea] += content


def _forms_of(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return [form for form in parser.forms if form["text"]]


def _texts_holding_nul() -> list[str]:
    """Return model.field of every text or JSON value in the database that holds a null character."""
    found = []
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        for row in model.objects.values(*fields).iterator():
            found += [f"{model.__name__}.{name}" for name, value in row.items() if _holds_nul(value)]
    return found


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def _staff_pages(table: dict) -> dict[str, str]:
    """Return every staff page a browser opens (the GET rows of the table), and the confirmations it links to."""
    pages = {
        name: row.url
        for name, row in _rows(table).items()
        if row.method == "get" and name not in WAGTAIL_OWN | NOT_PAGES and not row.url.startswith("/my/")
    }
    pages["applicants:index export"] = "/admin/applicants/?export=csv"
    cohort, certificate = table["cohort"], table["certificate"]
    for action in ("revoke", "reissue"):
        pages[f"cohorts:certificate_change {action}"] = (
            f"/admin/cohorts/{cohort.pk}/certificates/{certificate.pk}/{action}/"
        )
    return pages


def _consultant_pages(table: dict) -> dict[str, str]:
    """Return the pages of the consultant's workspace she opens (the GET rows of the table under /my/)."""
    return {
        name: row.url
        for name, row in _rows(table).items()
        if row.method == "get" and row.url.startswith("/my/") and row.answers[Role.CONSULTANT] == 200
    }


def _public_pages(table: dict) -> dict[str, str]:
    """Return every public page with a form: the application, the status page's forms, the certificate lookup,
    and the consultant's sign-in and the pages that set her password."""
    token = table["applicant"].status_token
    consultant = table["member"].user
    password_link = f"/my/password/{urlsafe_base64_encode(force_bytes(consultant.pk))}/"
    return {
        "consultant_account:login": "/my/login/",
        "consultant_account:password": "/my/password/",
        "consultant_account:password_set": password_link + default_token_generator.make_token(consultant) + "/",
        "apply": table["pages"]["apply"].url,
        "recruiting:status": f"/status/{token}/",
        "recruiting:status_contact": f"/status/{token}/contact/",
        "recruiting:status_link_request": "/status/lost-link/",
        "certificates:lookup": "/certificates/verify/",
        "consultants:lookup": "/consultants/verify/",
    }


def _post_nul_into_every_text_input(client, pages: dict[str, str]) -> int:
    posted = 0
    for name, url in pages.items():
        response = client.get(url, follow=True)
        assert response.status_code == 200, name
        assert response["Content-Type"].startswith("text/html"), f"{name} is no page: list it in NOT_PAGES"
        for form in _forms_of(response.content.decode()):
            for field in form["text"]:
                posted_data = {**form["data"], field: form["data"][field] + NUL}
                target = form["action"] or response.request["PATH_INFO"]
                label = f"{name}: {form['method'].upper()} {target} with a null character in {field}"
                # The test client raises what a server error would be, so a 500 fails here with its cause.
                answer = getattr(client, form["method"] if form["method"] == "post" else "get")(target, posted_data)
                assert answer.status_code < 500, label
                assert _texts_holding_nul() == [], label
                posted += 1
    return posted


def test_no_staff_form_saves_a_null_character(client, data):  # noqa: F811
    client.force_login(get_user_model().objects.create_superuser("root", password="x"))
    posted = _post_nul_into_every_text_input(client, _staff_pages(data))
    assert posted > 20


def test_no_form_of_the_consultants_workspace_saves_a_null_character(client, data):  # noqa: F811
    client.force_login(data["member"].user)
    assert _post_nul_into_every_text_input(client, _consultant_pages(data)) >= 4


def test_no_form_of_a_cohort_in_training_saves_a_null_character(client, data):  # noqa: F811
    # The table's cohort has ended: its sheet, grid and early graduation take no input, so walk a running one.
    cohort = data["cohort"]
    running = Cohort.objects.create(
        number=2,
        branch=cohort.branch,
        curriculum=cohort.curriculum,
        round=cohort.round,
        starts_on=timezone.localdate() - timedelta(days=14),
    )
    (trainee,) = enroll_trainees(running, 1)
    start_training(running)
    past_day = [day for day in meeting_days(running) if day < timezone.localdate()][0]
    client.force_login(get_user_model().objects.create_superuser("root", password="x"))
    pages = {
        "cohorts:attendance_day": f"/admin/cohorts/{running.pk}/attendance/{past_day.isoformat()}/",
        "cohorts:marks": f"/admin/cohorts/{running.pk}/marks/",
        "cohorts:graduate_early": f"/admin/cohorts/{running.pk}/trainees/{trainee.pk}/graduate-early/",
    }
    assert _post_nul_into_every_text_input(client, pages) >= 3
    # The sheet as shown changes nobody, so no reason would be kept: change one, as a trainer correcting a day.
    answer = client.post(
        pages["cohorts:attendance_day"], {f"a-{trainee.pk}": AttendanceStatus.ABSENT, "reason": "병원\x00"}
    )
    assert answer.status_code == 200
    assert not Attendance.objects.filter(enrollment=trainee, day=past_day, status=AttendanceStatus.ABSENT).exists()
    assert _texts_holding_nul() == []


def test_no_public_form_saves_a_null_character(client, data, settings):  # noqa: F811
    # Rate limits are tested on their own; here they would cut the walk short.
    settings.RATE_LIMITS = {key: (10**9, window) for key, (_limit, window) in settings.RATE_LIMITS.items()}
    before = Applicant.objects.count()
    posted = _post_nul_into_every_text_input(client, _public_pages(data))
    assert posted >= 8
    assert Applicant.objects.count() == before
