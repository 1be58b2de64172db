"""The resident registration number filter: every disguise of one is caught, ordinary numbers pass."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from core.validators import looks_like_rrn, reject_rrn, text_refusal

# Each script's digits zero to nine, the way a person or a script could type them.
DIGIT_SCRIPTS = [
    "0123456789",
    "０１２３４５６７８９",  # full width
    "٠١٢٣٤٥٦٧٨٩",  # Arabic-Indic
    "۰۱۲۳۴۵۶۷۸۹",  # Extended Arabic-Indic (Persian)
    "०१२३४५६७८९",  # Devanagari
    "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗",  # mathematical bold
]
DASHES = ["-", "‐", "‑", "‒", "–", "—", "―", "−", "－", "﹣", "_", "/", ".", "．", "／", "＿"]
SPACES = [" ", "\u00a0", "\u3000", "\t", "\u2009"]
# Invisible characters (Unicode category Cf) and a combining mark, slipped between digits.
INVISIBLE = ["\u200b", "\u00ad", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e"]
SURROUNDINGS = [("", ""), ("제 번호는 ", "입니다"), ("RRN:", "."), ("", "@example.com"), ("(", ")"), ("주민 ", " 끝")]


@st.composite
def rrns(draw) -> str:
    """Return a plausible resident registration number as 13 ASCII digits."""
    year = draw(st.integers(0, 99))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 31))
    back = draw(st.integers(1, 8))
    rest = draw(st.integers(0, 999_999))
    return f"{year:02}{month:02}{day:02}{back}{rest:06}"


@st.composite
def disguised_rrns(draw) -> str:
    """Return an RRN with its digits in another script, spread with separators and invisible characters."""
    digits = draw(rrns())
    script = draw(st.sampled_from(DIGIT_SCRIPTS))
    separator = st.lists(st.sampled_from(DASHES + SPACES), max_size=3).map("".join)
    invisible = st.lists(st.sampled_from(INVISIBLE), max_size=2).map("".join)
    parts = [digits[0:2], digits[2:4], digits[4:6], digits[6:13]]
    text = ""
    for position, part in enumerate(parts):
        if position == 3:
            text += draw(separator)
        elif position:
            # Inside the date a person types at most spaces or dots, as in "85 01 01" or "85.01.01".
            text += draw(st.sampled_from(["", "", " ", ".", "-", "/"]))
        for digit in part:
            text += script[int(digit)] + draw(invisible)
    before, after = draw(st.sampled_from(SURROUNDINGS))
    return before + text + after


@settings(max_examples=500, database=None)
@given(disguised_rrns())
def test_it_catches_every_disguise_of_a_resident_registration_number(text):
    assert looks_like_rrn(text), ascii(text)
    with pytest.raises(ValidationError):
        reject_rrn(text)
    assert text_refusal(text)


@pytest.mark.parametrize(
    "text",
    [
        "８５０１０１－１２３４５６７",
        "٨٥٠١٠١-١٢٣٤٥٦٧",
        "850101\u200b-1234567",
        "850101\u00ad1234567",
        "850101\u22121234567",
        "850101\uff0d1234567",
        "850101_1234567",
        "850101/1234567",
        "85 01 01-1234567",
        "850101_1234567@example.com",
        "8501011234567",
        "850101 - 1234567",
    ],
)
def test_it_catches_the_disguises_the_attack_test_saved(text):
    assert looks_like_rrn(text)


@pytest.mark.parametrize(
    "text",
    [
        "010-1234-5678",
        "01012345678",
        "+82 10-1234-5678",
        "2026-01-15",
        "2026.01.15 10:00",
        "26.01.15",
        "제 2026-0013 호",
        "2026-0013",
        "1234567890123",  # 13 digits, but 12-34-56 is no date
        "9913321234567",  # month 13
        "8501320234567",  # day 32
        "8501019234567",  # 9 is not a century-and-sex digit of our time
        "85010112345678",  # 14 digits
        "850101-123456",  # 12 digits
        "보험설계사 등록번호 2026-123456",
        "상담실 3",
        "이서연",
        "010-1234-5678 2026-01-15",
        "",
    ],
)
def test_it_lets_ordinary_numbers_through(text):
    assert not looks_like_rrn(text)
    reject_rrn(text)
    assert text_refusal(text) is None


def test_it_refuses_a_null_character():
    assert text_refusal("사유\x00") is not None


def test_the_digit_scripts_really_are_digits():
    for script in DIGIT_SCRIPTS:
        assert [unicodedata.decimal(digit) for digit in script] == list(range(10))
