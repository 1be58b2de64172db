"""Hostile input the form must refuse in Korean: placeholder mobiles and floods of repeated choices."""

import pytest

from recruiting.models import Applicant, ApplicantConsent, Notification
from recruiting.phones import InvalidMobile, PlaceholderMobile, normalize_mobile

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("raw", ["010-0000-0000", "010-1111-1111", "01099999999", "+82 10-5555-5555", "010 0000 0000"])
def test_it_refuses_a_placeholder_mobile(raw):
    with pytest.raises(PlaceholderMobile):
        normalize_mobile(raw)


@pytest.mark.parametrize(
    ("raw", "digits"),
    [("010-1234-5678", "01012345678"), ("010-2000-0000", "01020000000"), ("010-9999-9998", "01099999998")],
)
def test_it_keeps_real_numbers_working(raw, digits):
    assert normalize_mobile(raw) == digits


def test_a_placeholder_is_also_an_invalid_mobile_for_every_caller():
    with pytest.raises(InvalidMobile):
        normalize_mobile("010-0000-0000")


def _assert_nothing_saved():
    assert Applicant.objects.count() == ApplicantConsent.objects.count() == Notification.objects.count() == 0


def test_the_application_refuses_a_placeholder_mobile_in_korean(client, apply_url, form_data):
    response = client.post(apply_url, {**form_data, "mobile": "010-0000-0000"})
    assert response.status_code == 200
    assert "실제 휴대전화 번호가 아닙니다" in response.content.decode()
    _assert_nothing_saved()


@pytest.mark.parametrize("times", [["saturday"] * 3000, ["saturday", "saturday"], ["weekday_morning"] * 5])
def test_the_application_refuses_repeated_choices_in_korean(client, apply_url, form_data, times):
    response = client.post(apply_url, {**form_data, "preferred_times": times})
    assert response.status_code == 200
    assert "각 항목은 한 번만 선택해 주세요." in response.content.decode()
    _assert_nothing_saved()


def test_every_choice_once_is_still_accepted(client, apply_url, form_data, django_capture_on_commit_callbacks):
    every = ["weekday_morning", "weekday_afternoon", "weekday_evening", "saturday"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(apply_url, {**form_data, "preferred_times": every})
    assert response.status_code == 302
    assert Applicant.objects.get().preferred_times == every
