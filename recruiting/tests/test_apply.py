"""The application form: what it shows, what it accepts, and what it refuses."""

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from recruiting import services
from recruiting.models import (
    Applicant,
    ApplicantConsent,
    ApplicantEvent,
    ApplicantStatus,
    Branch,
    ConsentNoticeVersion,
    District,
    Notification,
    Province,
    RecruitmentRound,
)

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("module_site")]

NOTHING_SAVED = {"applicants": 0, "consents": 0, "events": 0, "notifications": 0}


def _counts() -> dict[str, int]:
    return {
        "applicants": Applicant.objects.count(),
        "consents": ApplicantConsent.objects.count(),
        "events": ApplicantEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }


def _submit(client, url, data, capture):
    with capture(execute=True):
        return client.post(url, data)


def test_the_form_shows_every_notice_in_full_with_optional_consents_unticked(client, apply_url, form_data):
    html = client.get(apply_url).content.decode()
    for text in ["수집·이용 목적", "수집 항목", "보유·이용 기간", "동의를 거부할 권리", "CS RC 채용 전형"]:
        assert text in html
    assert 'name="consent_application"' in html
    for optional in ("consent_talent-pool", "consent_marketing"):
        tag = html[html.index(f'name="{optional}"') - 60 : html.index(f'name="{optional}"') + 80]
        assert "checked" not in tag


def test_the_form_asks_nothing_it_must_not(client, apply_url, form_data):
    html = client.get(apply_url).content.decode()
    for forbidden in ("성별", "주민등록번호 입력", "결혼", "가족", "사진", 'name="sex"', 'name="gender"', 'name="age"'):
        assert forbidden not in html


def test_the_form_is_never_served_from_the_page_cache(client, apply_url, open_round):
    client.get(apply_url)
    response = client.get(apply_url)
    assert "no-store" in response["Cache-Control"]
    assert response.get("X-Wagtail-Cache") != "hit"


def test_without_an_open_round_the_page_says_so_and_offers_the_number(client, apply_url, site):
    RecruitmentRound.objects.create(
        title="지난 모집",
        opens_on=timezone.localdate() - timedelta(days=30),
        closes_on=timezone.localdate() - timedelta(days=1),
        cohort_starts_on=timezone.localdate(),
        capacity=10,
    )
    response = client.get(apply_url)
    assert "진행 중인 모집이 없습니다" in response.content.decode()
    assert "02-2187-2663" in response.content.decode()
    assert "<form" not in response.content.decode().split("<main")[1].split("</main>")[0]


def test_a_valid_application_is_recorded_whole_and_confirmed_once(
    client, apply_url, form_data, django_capture_on_commit_callbacks, gangseo
):
    response = _submit(client, apply_url, form_data, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == apply_url + "done/"

    applicant = Applicant.objects.get()
    assert applicant.mobile == "01012345678"
    assert applicant.mobile_display == "010-1234-5678"
    assert applicant.preferred_branch == gangseo  # suggested from 강서구
    assert applicant.status == ApplicantStatus.SUBMITTED
    assert len(applicant.status_token) >= 43
    consents = {c.notice_version.notice.key: c for c in applicant.consents.select_related("notice_version__notice")}
    assert consents["application"].given is True
    assert consents["talent-pool"].given is False
    assert consents["marketing"].given is False
    assert consents["application"].notice_version.number == 1
    assert list(applicant.events.values_list("from_status", "to_status")) == [("", "submitted")]

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["seoyeon@example.com"]
    assert "접수" in mail.outbox[0].subject
    assert f"/status/{applicant.status_token}/" in mail.outbox[0].body
    assert Notification.objects.get().sent_at is not None

    done = client.get(response["Location"])
    assert "지원해 주셔서 감사합니다" in done.content.decode()


@pytest.mark.parametrize(
    "typed", ["010-1234-5678", "01012345678", "010 1234 5678", "+82 10-1234-5678", "010.1234.5678"]
)
def test_mobile_numbers_are_normalised(client, apply_url, form_data, typed, django_capture_on_commit_callbacks):
    _submit(client, apply_url, {**form_data, "mobile": typed}, django_capture_on_commit_callbacks)
    assert Applicant.objects.get().mobile == "01012345678"


def test_optional_consents_are_stored_when_ticked(client, apply_url, form_data, django_capture_on_commit_callbacks):
    _submit(client, apply_url, {**form_data, "consent_talent-pool": "on"}, django_capture_on_commit_callbacks)
    given = dict(ApplicantConsent.objects.values_list("notice_version__notice__key", "given"))
    assert given == {"application": True, "talent-pool": True, "marketing": False}


RRN = "860315-2345678"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "필수 작성 항목입니다"),
        ({"name": "이서연2"}, "name", "성명은 글자로만"),
        ({"name": "<script>alert(1)</script>"}, "name", "성명은 글자로만"),
        ({"name": "가" * 41}, "name", "41"),
        ({"mobile": "02-2187-2663"}, "mobile", "휴대전화 번호를 입력해"),
        ({"mobile": "010-123-456"}, "mobile", "휴대전화 번호를 입력해"),
        ({"mobile": "없음"}, "mobile", "휴대전화 번호를 입력해"),
        ({"mobile": "1" * 40}, "mobile", "30"),
        ({"email": "seoyeon@"}, "email", "올바른 이메일"),
        ({"birth_year": "1800"}, "birth_year", "출생연도는 1930년에서"),
        ({"birth_year": str(timezone.localdate().year)}, "birth_year", "출생연도는 1930년에서"),
        ({"birth_year": "천구백팔십"}, "birth_year", "정수"),
        ({"province": Province.GYEONGGI}, "district", "선택한 시도에 속한 시군구"),
        ({"district": "999999"}, "district", "올바르게 선택해 주세요"),
        ({"round": "999999"}, "round", "올바르게 선택해 주세요"),
        ({"source": "tv"}, "source", "올바르게 선택해 주세요"),
        ({"preferred_times": ["midnight"]}, "preferred_times", "올바르게 선택해 주세요"),
        ({"motivation": "가" * 1001}, "motivation", "1000"),
        ({"consent_application": ""}, "consent_application", "필수 항목에 동의하셔야"),
        ({"name": RRN}, "name", "주민등록번호는 입력하지 마세요"),
        ({"motivation": f"제 주민번호는 {RRN} 입니다"}, "motivation", "주민등록번호는 입력하지 마세요"),
        ({"mobile": "8603152345678"}, "mobile", "주민등록번호는 입력하지 마세요"),
        ({"email": "8603152345678@example.com"}, "email", "주민등록번호는 입력하지 마세요"),
    ],
)
def test_bad_input_is_refused_with_a_korean_message_next_to_its_field(
    client, apply_url, form_data, changes, field, message, django_capture_on_commit_callbacks
):
    response = _submit(client, apply_url, {**form_data, **changes}, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert f'id="id_{field}_error"' in response.content.decode() or field.startswith("consent_")
    assert _counts() == NOTHING_SAVED
    assert mail.outbox == []


def test_a_branch_outside_the_round_is_refused(
    client, apply_url, form_data, open_round, django_capture_on_commit_callbacks
):
    other = Branch.objects.get(slug="branch-1")
    open_round.branches.set([Branch.objects.get(slug="branch-0")])
    response = _submit(
        client, apply_url, {**form_data, "preferred_branch": other.pk}, django_capture_on_commit_callbacks
    )
    assert "이번 모집은" in " ".join(response.context["form"].errors["preferred_branch"])
    assert _counts() == NOTHING_SAVED


def test_a_district_no_branch_serves_asks_for_a_branch(
    client, apply_url, form_data, django_capture_on_commit_callbacks
):
    unserved = District.objects.get(province=Province.GYEONGGI, name="가평군")
    data = {**form_data, "province": Province.GYEONGGI, "district": unserved.pk}
    response = _submit(client, apply_url, data, django_capture_on_commit_callbacks)
    assert "희망 지점을 골라 주세요" in " ".join(response.context["form"].errors["preferred_branch"])
    assert _counts() == NOTHING_SAVED


def test_submitting_twice_returns_the_same_application(
    client, apply_url, form_data, django_capture_on_commit_callbacks
):
    first = _submit(client, apply_url, form_data, django_capture_on_commit_callbacks)
    second = _submit(client, apply_url, {**form_data, "name": "다른이름"}, django_capture_on_commit_callbacks)
    third = _submit(Client(), apply_url, {**form_data, "mobile": "01012345678"}, django_capture_on_commit_callbacks)
    assert first["Location"] == second["Location"] == third["Location"]
    assert Applicant.objects.get().name == "이서연"
    assert len(mail.outbox) == 1


def test_a_withdrawn_applicant_may_apply_again_in_the_same_round(
    client, apply_url, form_data, django_capture_on_commit_callbacks
):
    _submit(client, apply_url, form_data, django_capture_on_commit_callbacks)
    services.applicant_withdraw(applicant=Applicant.objects.get())
    _submit(client, apply_url, form_data, django_capture_on_commit_callbacks)
    assert list(Applicant.objects.order_by("pk").values_list("status", flat=True)) == ["withdrawn", "submitted"]


def test_a_filled_honeypot_looks_like_success_and_saves_nothing(
    client, apply_url, form_data, django_capture_on_commit_callbacks
):
    response = _submit(
        client, apply_url, {**form_data, "website": "http://spam.example"}, django_capture_on_commit_callbacks
    )
    assert response["Location"] == apply_url + "done/"
    assert _counts() == NOTHING_SAVED


def test_too_many_submits_from_one_address_answer_429_in_korean(
    client, apply_url, form_data, settings, django_capture_on_commit_callbacks, caplog
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "apply:address": (2, 3600)}
    for number in range(2):
        _submit(client, apply_url, {**form_data, "mobile": f"010-2000-000{number}"}, django_capture_on_commit_callbacks)
    with caplog.at_level(logging.WARNING):
        response = _submit(
            client, apply_url, {**form_data, "mobile": "010-2000-0009"}, django_capture_on_commit_callbacks
        )
    assert response.status_code == 429
    assert "요청이 너무 많습니다" in response.content.decode()
    assert Applicant.objects.count() == 2
    assert "apply:address" in caplog.text
    assert "127.0.0.1" not in caplog.text


def test_too_many_submits_for_one_mobile_answer_429(apply_url, form_data, settings, django_capture_on_commit_callbacks):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "apply:mobile": (2, 3600)}
    for number in range(3):
        response = _submit(
            Client(REMOTE_ADDR=f"10.0.0.{number}"), apply_url, form_data, django_capture_on_commit_callbacks
        )
    assert response.status_code == 429
    assert Applicant.objects.count() == 1


def test_a_post_without_the_csrf_token_is_refused(apply_url, form_data):
    response = Client(enforce_csrf_checks=True).post(apply_url, form_data)
    assert response.status_code == 403
    assert _counts() == NOTHING_SAVED


def test_no_personal_data_reaches_urls_or_logs(
    client, apply_url, form_data, django_capture_on_commit_callbacks, caplog
):
    with caplog.at_level(logging.DEBUG):
        response = _submit(client, apply_url, form_data, django_capture_on_commit_callbacks)
    for personal in ("이서연", "01012345678", "010-1234-5678", "seoyeon@example.com"):
        assert personal not in response["Location"]
        assert personal not in caplog.text


def test_a_consent_keeps_the_version_the_applicant_saw(
    client, apply_url, form_data, django_capture_on_commit_callbacks
):
    _submit(client, apply_url, form_data, django_capture_on_commit_callbacks)
    notice = ConsentNoticeVersion.objects.get(notice__key="application", number=1).notice
    notice.retention = "결과 확정 후 90일"
    notice.save()
    consent = ApplicantConsent.objects.get(notice_version__notice=notice)
    assert consent.notice_version.number == 1
    assert "180일" in consent.notice_version.retention
    assert notice.current_version.number == 2
