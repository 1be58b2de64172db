"""Korean mobile numbers: parsed with Google's libphonenumber, stored as national digits."""

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType


class InvalidMobile(ValueError):
    pass


class PlaceholderMobile(InvalidMobile):
    """A number people type to get past the field, such as 010-0000-0000."""


def normalize_mobile(raw: str) -> str:
    """Return a Korean mobile number as national digits ("01012345678"), or raise InvalidMobile.

    Accepts the ways people type it: 010-1234-5678, 010 1234 5678, 01012345678,
    +82 10-1234-5678.
    """
    if len(raw) > 30:
        raise InvalidMobile(raw)
    try:
        number = phonenumbers.parse(raw, "KR")
    except NumberParseException:
        raise InvalidMobile(raw) from None
    if number.country_code != 82 or not phonenumbers.is_valid_number(number):
        raise InvalidMobile(raw)
    if phonenumbers.number_type(number) != PhoneNumberType.MOBILE:
        raise InvalidMobile(raw)
    digits = "0" + str(number.national_number)
    if len(digits) != 11 or not digits.startswith("010"):
        raise InvalidMobile(raw)
    # libphonenumber accepts any eight digits after 010; one digit eight times is a
    # placeholder, never a subscriber, and would collide with everyone else typing it.
    if len(set(digits[3:])) == 1:
        raise PlaceholderMobile(raw)
    return digits


def format_mobile(digits: str) -> str:
    """Return national digits as Koreans write a mobile number: 010-1234-5678."""
    if len(digits) != 11:
        return digits
    return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
