"""No resident registration number through the admin: every text a staff member or an editor types refuses one.

Our forms and services refuse it already (core/tests/test_text_refusals.py); here the
Wagtail admin's own forms do too: the model forms of our models (viewsets, snippets,
settings, inline children) through the `reject_rrn` validator on the model field, and the
page editor through the pages' base form, which also reads Wagtail's page fields, every
block of a StreamField, rich text and the editors' comments.
"""

import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils import timezone
from wagtail.blocks.stream_block import StreamBlockValidationError
from wagtail.fields import StreamField
from wagtail.models import Page, Site
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.forms import BasePageForm
from cms.models import ContentPage, SiteSettings
from core.outbox import OutboxFields
from core.roles import Role
from core.states import StateEvent
from core.validators import reject_rrn
from curriculum.models import CertificateSettings, Curriculum
from recruiting.models import Branch, ConsentNotice, ConsentNoticeVersion, RecruitmentRound, Slot
from recruiting.tests.factories import make_staff

APPS = ("recruiting", "curriculum", "assignments", "cms")

# Text no person types, so it needs no validator: filled by code from rows whose own
# fields refuse an RRN, random secrets, or public data installed by a migration. Fields
# with choices need none either (a person picks, and anything else is refused), and
# neither do the fields of core's StateEvent and OutboxFields (see `_exempt_by_rule`).
NOT_TYPED = {
    # Random secrets made by code.
    "recruiting.Applicant.status_token",
    "recruiting.EmailChange.token",
    "curriculum.Certificate.verification_code",
    # The 시군구 list is public data installed by a migration; the admin edits only the serving branch.
    "recruiting.District.name",
    # Copied from the login of the staff member who looked.
    "recruiting.AccessRecord.username",
    # A frozen copy of a consent notice's wording, which refuses an RRN when it is edited.
    "recruiting.ConsentNoticeVersion.title",
    "recruiting.ConsentNoticeVersion.purpose",
    "recruiting.ConsentNoticeVersion.items",
    "recruiting.ConsentNoticeVersion.retention",
    "recruiting.ConsentNoticeVersion.refusal",
    # The certificate's snapshot of what it prints, copied from the checked rows at issue.
    "curriculum.Certificate.holder_name",
    "curriculum.Certificate.program",
    "curriculum.Certificate.cohort_label",
    "curriculum.Certificate.branch_name",
    "curriculum.Certificate.issuer_name",
    # The customer book is read from the core system's file, never typed: assignments.book_import
    # refuses a row whose name, address, numbers or planner code look like a registration number.
    "assignments.BookImportRow.customer_number",
    "assignments.BookImportRow.name",
    "assignments.BookImportRow.mobile",
    "assignments.BookImportRow.address",
    "assignments.BookImportRow.sigungu",
    "assignments.BookImportRow.contract_number",
    "assignments.BookImportRow.planner_code",
    "assignments.Customer.number",
    "assignments.Customer.name",
    "assignments.Customer.mobile",
    "assignments.Customer.address",
    "assignments.Customer.sigungu",
    "assignments.Contract.number",
    "assignments.Contract.planner_code",
    # An uploaded file's name, which book_import_start refuses when it looks like one.
    "assignments.BookImport.file_name",
    # Made by code: a file's hash, a run's input hash, the failures the services write.
    "assignments.BookImport.sha256",
    "assignments.BookImport.failure",
    "assignments.AssignmentRun.input_hash",
    "assignments.AssignmentRun.failure",
    # Copied from the login of the staff member who looked.
    "assignments.CustomerAccessRecord.username",
    # A random secret made by code, and a notice's words, written by code from the consultant's
    # name and her branch (fields that refuse an RRN) when a run is applied.
    "assignments.PoolMember.verification_code",
    "assignments.CustomerNotice.text",
}

KOREAN = "주민등록번호는 입력하지 마세요. 주민등록번호는 수집하지 않습니다."
KOREAN_ON_A_COMMENT = "댓글에 주민등록번호로 보이는 내용이 있습니다"
RRNS = pytest.mark.parametrize("rrn", ["850101-1234567", "８５０１０１－１２３４５６７"], ids=["plain", "full-width"])


def _inherited_from(field: models.Field, base: type[models.Model]) -> bool:
    """Return whether `field` is the one the abstract `base` declares, not a redeclaration of its name."""
    try:
        declared = base._meta.get_field(field.name)
    except FieldDoesNotExist:
        return False
    return declared.creation_counter == field.creation_counter


def _exempt_by_rule(model: type[models.Model], field: models.Field) -> str | None:
    """Return why a field needs no validator by a rule rather than by name, or None."""
    if field.model._meta.app_label not in APPS:
        return "Wagtail's own page field: the pages' base form reads it"
    if field.choices:
        return "a choice: a person picks it from a list"
    if issubclass(model, StateEvent) and _inherited_from(field, StateEvent):
        return "written by the state helper; the services refuse a typed note themselves"
    if issubclass(model, OutboxFields) and _inherited_from(field, OutboxFields):
        return "the mail server's error, written by the sender"
    return None


def _text_fields():
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, models.CharField | models.TextField):
                    yield model, field


def test_every_text_field_a_person_types_refuses_an_rrn():
    missing = [
        f"{model._meta.label}.{field.name}"
        for model, field in _text_fields()
        if _exempt_by_rule(model, field) is None
        and f"{model._meta.label}.{field.name}" not in NOT_TYPED
        and reject_rrn not in field.validators
    ]
    assert missing == [], "Add validators=[reject_rrn] to these fields, or explain in NOT_TYPED why nobody types them"


def test_the_list_of_untyped_fields_names_only_real_fields():
    names = {f"{model._meta.label}.{field.name}" for model, field in _text_fields()}
    assert NOT_TYPED - names == set()


def test_every_page_and_every_streamfield_is_edited_through_the_base_page_form():
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            has_streamfield = any(isinstance(field, StreamField) for field in model._meta.get_fields())
            if issubclass(model, Page) or has_streamfield:
                assert issubclass(model, Page), f"{model._meta.label} has a StreamField outside a page"
                assert issubclass(model.get_edit_handler().get_form_class(), BasePageForm), model._meta.label


def _refused(response, field: str) -> bool:
    """Return whether the admin answered with its form again and the Korean message on `field`."""
    form = response.context["form"]
    return response.status_code == 200 and KOREAN in response.content.decode() and field in form.errors


class TestModelForms:
    """Our models' admin screens: the validator on the model field answers through Wagtail's model form."""

    @RRNS
    def test_the_branch_edit_view_refuses_an_rrn_in_the_address(self, client, hana, gangseo, rrn):
        client.force_login(hana)
        data = {"name": gangseo.name, "slug": gangseo.slug, "phone": gangseo.phone, "sort_order": 0}

        response = client.post(f"/admin/branches/edit/{gangseo.pk}/", {**data, "address": f"서울 강서구 {rrn}"})

        assert _refused(response, "address")
        assert Branch.objects.get(pk=gangseo.pk).address == gangseo.address

    @RRNS
    def test_the_round_create_view_refuses_an_rrn_in_the_title(self, client, hana, site, rrn):
        client.force_login(hana)
        today = timezone.localdate()
        data = {
            "title": f"모집 {rrn}",
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=20)).isoformat(),
            "cohort_starts_on": (today + timedelta(days=60)).isoformat(),
            "capacity": 30,
        }

        response = client.post("/admin/rounds/new/", data)

        assert _refused(response, "title")
        assert not RecruitmentRound.objects.exists()

    @RRNS
    def test_the_slot_form_refuses_an_rrn_in_the_place(self, client, alice, gangseo, rrn):
        client.force_login(alice)
        starts_at = timezone.localtime(timezone.now() + timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
        data = {"branch": gangseo.pk, "kind": "consultation", "starts_at": starts_at, "duration_minutes": 60}

        response = client.post("/admin/slots/new/", {**data, "place": f"상담실 {rrn}", "capacity": 2})

        assert _refused(response, "place")
        assert not Slot.objects.exists()

    @RRNS
    def test_a_consent_notice_refuses_an_rrn_and_makes_no_version(self, client, editor, rrn):
        notice = ConsentNotice.objects.get(key="application")
        versions = ConsentNoticeVersion.objects.count()
        client.force_login(editor)
        data = {
            field: getattr(notice, field)
            for field in ["title", "key", "purpose", "items", "retention", "refusal", "sort_order"]
        }
        data |= {"is_required": "on", "is_active": "on", "items": f"{notice.items} 예: {rrn}"}

        response = client.post(f"/admin/snippets/recruiting/consentnotice/edit/{notice.pk}/", data)

        assert _refused(response, "items")
        assert ConsentNoticeVersion.objects.count() == versions
        assert ConsentNotice.objects.get(pk=notice.pk).items == notice.items

    @RRNS
    def test_the_site_settings_refuse_an_rrn_in_the_footer(self, client, editor, rrn):
        site = Site.objects.get(is_default_site=True)
        settings = SiteSettings.for_site(site)
        client.force_login(editor)
        data = {
            "organisation_name": settings.organisation_name,
            "contact_phone": settings.contact_phone,
            "footer_text": f"대표 {rrn}",
            "apply_page": settings.apply_page_id,
        }

        response = client.post(f"/admin/settings/cms/sitesettings/{site.pk}/", data)

        assert _refused(response, "footer_text")
        assert SiteSettings.objects.get(pk=settings.pk).footer_text == settings.footer_text

    def test_the_certificate_settings_refuse_an_rrn_in_the_issuer(self, client, hana, site):
        issuer = CertificateSettings.load().issuer_name
        client.force_login(hana)

        response = client.post(
            f"/admin/settings/curriculum/certificatesettings/{CertificateSettings.load().pk}/",
            {"issuer_name": "교육센터장 850101-1234567", "seal": ""},
        )

        assert _refused(response, "issuer_name")
        assert CertificateSettings.load().issuer_name == issuer

    def test_a_module_of_a_new_curriculum_refuses_an_rrn_and_nothing_is_created(self, client, hana, site):
        client.force_login(hana)
        module = {
            "title": "８５０１０１－１２３４５６７ 보험 기초",
            "area": "insurance_finance",
            "week_start": 1,
            "week_end": 2,
            "assessment": "completion",
            "pass_mark": "",
            "is_required": "on",
        }
        data = nested_form_data(
            {"name": "새 과정", "weeks": 13, "total_hours": 390, "description": "", "modules": inline_formset([module])}
        )

        response = client.post("/admin/curricula/new/", data)

        assert response.status_code == 200
        assert KOREAN in response.content.decode()
        assert not Curriculum.objects.filter(name="새 과정").exists()


@pytest.fixture
def editor(site):
    call_command("setup", verbosity=0)
    return make_staff("eunji", Role.EDITOR)


def _page_data(page: ContentPage, **fields) -> dict:
    return nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "intro": page.intro,
            "body": streamfield([]),
            "comments": inline_formset([]),
            "action-publish": "action-publish",
            **fields,
        }
    )


def _one_item_list(item: dict) -> dict:
    """Return the form data of a ListBlock holding one item."""
    return {"count": "1", "0": {"value": item, "deleted": "", "order": "0"}}


BLOCKS_WITH_AN_RRN = {
    "paragraph": ("paragraph", rich_text("<p>주민번호 850101-1234567</p>")),
    "paragraph split by markup": ("paragraph", rich_text("<p>8501<b>01</b>-1234567</p>")),
    "full-width in a heading": ("heading", {"text": "８５０１０１－１２３４５６７", "level": "h2"}),
    "quote": ("quote", {"text": "850101 1234567", "attribution": ""}),
    "feature in a list": (
        "features",
        {"heading": "", "features": _one_item_list({"title": "특징", "text": "850101-1234567"})},
    ),
}


class TestPageEditor:
    """The page editor: Wagtail's fields, every block of the body and the comments, through the base form."""

    @pytest.fixture
    def page(self, site) -> ContentPage:
        page = site["content"]
        page.refresh_from_db()
        return page

    def _assert_nothing_saved(self, page: ContentPage) -> None:
        before = (page.title, page.intro, page.latest_revision_id, page.live_revision_id)
        page.refresh_from_db()
        assert (page.title, page.intro, page.latest_revision_id, page.live_revision_id) == before

    @RRNS
    @pytest.mark.parametrize("field", ["title", "intro", "seo_title", "search_description"])
    def test_it_refuses_an_rrn_in_a_field_of_the_page(self, client, editor, page, field, rrn):
        client.force_login(editor)

        response = client.post(
            reverse("wagtailadmin_pages:edit", args=[page.pk]), _page_data(page, **{field: f"안내 {rrn}"})
        )

        assert _refused(response, field)
        self._assert_nothing_saved(page)

    @pytest.mark.parametrize("block", BLOCKS_WITH_AN_RRN.values(), ids=BLOCKS_WITH_AN_RRN.keys())
    def test_it_refuses_an_rrn_in_a_block_of_the_body_and_marks_that_block(self, client, editor, page, block):
        client.force_login(editor)
        body = [("paragraph", rich_text("<p>평범한 문단</p>")), block]

        response = client.post(
            reverse("wagtailadmin_pages:edit", args=[page.pk]), _page_data(page, body=streamfield(body))
        )

        assert response.status_code == 200
        (error,) = response.context["form"].errors.as_data()["body"]
        assert isinstance(error, StreamBlockValidationError)
        assert list(error.block_errors) == [1], "the error sits on the second block, not the harmless first"
        # The block editor reads its errors from JSON, where the Korean message is escaped.
        assert json.dumps(KOREAN)[1:-1] in response.content.decode()
        self._assert_nothing_saved(page)

    def test_it_refuses_an_rrn_in_a_comment(self, client, editor, page):
        client.force_login(editor)
        comment = {"id": "", "contentpath": "title", "text": "본인 확인 850101-1234567", "position": ""}
        comment["replies"] = inline_formset([])

        response = client.post(
            reverse("wagtailadmin_pages:edit", args=[page.pk]),
            _page_data(page, comments=inline_formset([comment])),
        )

        assert response.status_code == 200
        assert KOREAN_ON_A_COMMENT in response.content.decode()
        assert not page.wagtail_admin_comments.exists()
        self._assert_nothing_saved(page)

    def test_it_still_publishes_a_page_without_one(self, client, editor, page):
        client.force_login(editor)
        body = streamfield([("paragraph", rich_text("<p>문의 02-2187-2663, 2026-01-15 개강</p>"))])

        response = client.post(
            reverse("wagtailadmin_pages:edit", args=[page.pk]), _page_data(page, intro="새 소개", body=body)
        )

        assert response.status_code == 302
        page.refresh_from_db()
        assert page.intro == "새 소개"
        assert page.live
        assert not page.has_unpublished_changes
