"""The Wagtail screens our staff use speak Korean, including the strings Wagtail's own catalogue lacks."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

pytestmark = pytest.mark.django_db

# English that Wagtail's Korean catalogue leaves untranslated (locale/overrides fills it in).
ENGLISH = ["Filter by", "Search all pages", "Go to the first error", "Sort by", "Date updated", "Edited by"]


@pytest.fixture
def admin_client(client, site):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "x"))
    return client


def _html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _assert_no_english(html: str) -> None:
    for text in ENGLISH:
        assert text not in html, text


def test_the_admin_home_searches_in_korean(admin_client):
    html = _html(admin_client.get(reverse("wagtailadmin_home")))
    assert 'placeholder="모든 페이지 검색…"' in html
    _assert_no_english(html)


def test_the_page_explorer_filters_and_sorts_in_korean(admin_client):
    html = _html(admin_client.get(reverse("wagtailadmin_explore_root")))
    assert "필터" in html
    assert "수정일" in html
    assert "수정한 사람" in html
    _assert_no_english(html)


def test_a_page_form_with_an_error_says_so_in_korean(admin_client, site):
    page = site["content"]
    data = nested_form_data(
        {"title": "", "slug": page.slug, "intro": "", "body": streamfield([]), "comments": inline_formset([])}
    )
    html = _html(admin_client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data))
    assert "첫 번째 오류로 이동" in html
    assert "입력한 내용에 오류가 있어 페이지를 저장하지 못했습니다." in html
    _assert_no_english(html)


def test_the_applicant_list_filters_and_sorts_in_korean(client, hana):
    client.force_login(hana)
    html = _html(client.get(reverse("applicants:index")))
    assert "필터 보기" in html
    _assert_no_english(html)


def test_the_workflow_notices_of_our_catalogue_win(admin_client):
    html = _html(admin_client.get(reverse("wagtailadmin_workflows:index")))
    assert "워크플로" in html
    assert "작업흐름" not in html
