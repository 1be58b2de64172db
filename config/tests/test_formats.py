"""Dates and times read the Korean way: the weekday beside the date, 오전/오후 before the hour."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ('{{ when|date:"DATETIME_FORMAT" }}', "2026년 12월 9일 (수) 오전 10:00"),
        ('{{ when|date:"SHORT_DATETIME_FORMAT" }}', "12월 9일 (수) 오전 10:00"),
        ('{{ when|date:"MONTH_DAY_FORMAT" }}', "12월 9일 (수)"),
        ('{{ when|date:"DATE_FORMAT" }}', "2026년 12월 9일"),
        ("{{ afternoon|time }}", "오후 2:30"),
    ],
)
def test_it_writes_dates_and_times_in_korean_order(template, expected):
    context = Context({"when": datetime(2026, 12, 9, 10, 0, tzinfo=SEOUL), "afternoon": datetime(2026, 12, 9, 14, 30)})
    with translation.override("ko"):
        assert Template(template).render(context) == expected


def test_it_shows_a_utc_time_in_seoul_time():
    utc_evening = datetime(2026, 12, 8, 21, 22, tzinfo=ZoneInfo("UTC"))
    with translation.override("ko"):
        assert Template('{{ when|date:"SHORT_DATETIME_FORMAT" }}').render(Context({"when": utc_evening})) == (
            "12월 9일 (수) 오전 6:22"
        )
