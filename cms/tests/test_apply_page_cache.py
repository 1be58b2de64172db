"""A first visit to the apply page is served from a stored rendering with a fresh CSRF token."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from recruiting.models import Branch, ConsentNotice, RecruitmentRound

pytestmark = pytest.mark.django_db

# Once the process has served the apply page, one cache read before routing brings the
# version and the rendering: no site, no page tree, no page cache lookup.
STORED_GET_QUERIES = 1
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SEOUL = ZoneInfo("Asia/Seoul")


def _get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return response.content.decode()


def test_it_answers_a_repeated_get_in_the_pinned_number_of_queries(client, apply_url, open_round):
    _get(client, apply_url)
    for visitor in (client, Client()):
        with CaptureQueriesContext(connection) as captured:
            _get(visitor, apply_url)
        assert len(captured) == STORED_GET_QUERIES


def test_it_holds_the_count_whatever_the_number_of_branches_and_rounds(client, apply_url, open_round):
    for number in range(10):
        Branch.objects.create(name=f"추가{number}", slug=f"extra-{number}", address="서울", phone="02-0000-0000")
        RecruitmentRound.objects.create(
            title=f"추가 모집 {number}",
            opens_on=open_round.opens_on,
            closes_on=open_round.closes_on,
            cohort_starts_on=open_round.cohort_starts_on,
            capacity=5,
        )
    _get(client, apply_url)
    with CaptureQueriesContext(connection) as captured:
        _get(client, apply_url)
    assert len(captured) == STORED_GET_QUERIES


def test_it_gives_each_visitor_a_token_of_their_own_that_the_form_accepts(apply_url, open_round):
    alice, bob = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    tokens = [TOKEN.search(_get(visitor, apply_url)).group(1) for visitor in (alice, bob)]
    assert tokens[0] != tokens[1]
    assert alice.cookies["csrftoken"].value != bob.cookies["csrftoken"].value
    for visitor, token in zip((alice, bob), tokens, strict=True):
        # An incomplete application: the form answers with its errors, not with a CSRF refusal.
        response = visitor.post(apply_url, {"csrfmiddlewaretoken": token, "name": "이서연"})
        assert response.status_code == 200
        assert "이서연" in response.content.decode()


def test_it_shows_a_published_edit_of_the_page_body_on_the_next_get(
    client, site, apply_url, open_round, django_capture_on_commit_callbacks
):
    _get(client, apply_url)
    page = site["apply"].specific
    page.body = [("paragraph", "<p>상담은 30분 걸립니다.</p>")]
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert "상담은 30분 걸립니다." in _get(client, apply_url)


def test_it_shows_an_edited_consent_notice_on_the_next_get(
    client, apply_url, open_round, django_capture_on_commit_callbacks
):
    _get(client, apply_url)
    notice = ConsentNotice.objects.get(key="application")
    notice.purpose = "지원 상담과 면접 일정 안내"
    with django_capture_on_commit_callbacks(execute=True):
        notice.save()
    assert "지원 상담과 면접 일정 안내" in _get(client, apply_url)


def test_it_shows_a_round_closing_and_another_opening_on_the_next_get(
    client, apply_url, open_round, django_capture_on_commit_callbacks
):
    assert open_round.title in _get(client, apply_url)
    open_round.is_closed = True
    with django_capture_on_commit_callbacks(execute=True):
        open_round.save()
    html = _get(client, apply_url)
    assert open_round.title not in html
    assert "진행 중인 모집이 없습니다" in html
    with django_capture_on_commit_callbacks(execute=True):
        RecruitmentRound.objects.create(
            title="2027년 3월 입과",
            opens_on=open_round.opens_on,
            closes_on=open_round.closes_on,
            cohort_starts_on=open_round.cohort_starts_on,
            capacity=30,
        )
    assert "2027년 3월 입과" in _get(client, apply_url)


def test_it_shows_a_round_that_opens_at_midnight_in_seoul(client, apply_url, open_round):
    today = timezone.localdate()
    RecruitmentRound.objects.create(
        title="내일 여는 모집",
        opens_on=today + timedelta(days=1),
        closes_on=today + timedelta(days=9),
        cohort_starts_on=today + timedelta(days=30),
        capacity=30,
    )
    with time_machine.travel(datetime.combine(today, time(23, 59, 50), SEOUL), tick=False):
        assert "내일 여는 모집" not in _get(client, apply_url)
    with time_machine.travel(datetime.combine(today + timedelta(days=1), time(0, 0, 5), SEOUL), tick=False):
        assert "내일 여는 모집" in _get(client, apply_url)


def test_it_renders_the_page_afresh_for_a_signed_in_editor(client, apply_url, open_round):
    _get(client, apply_url)
    client.force_login(get_user_model().objects.create_superuser("editor", password="x"))
    with CaptureQueriesContext(connection) as captured:
        _get(client, apply_url)
    assert not any("apply-page:" in query["sql"] for query in captured.captured_queries)


def test_it_renders_every_get_afresh_when_the_page_cache_is_off(client, apply_url, open_round, settings):
    settings.WAGTAIL_CACHE = False
    _get(client, apply_url)
    open_round.title = "이름을 바꾼 모집"
    open_round.save()
    assert "이름을 바꾼 모집" in _get(client, apply_url)
