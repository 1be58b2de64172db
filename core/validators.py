"""Checks that keep personal data we must not collect, and text a database cannot store, out of every text field.

Forms attach `reject_rrn` to their text fields; services call `text_refusal` and raise their
own refusal with its message, so a rule holds whichever way the text arrives.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# A resident registration number once normalised: YYMMDD, then a digit for century and
# sex followed by six digits. A separator may stand between the year, month, day and the
# back half, as people write "85 01 01-1234567"; elsewhere the digits must touch, so a
# phone number beside a date is not read as one. Requiring a plausible month and day
# keeps ordinary long numbers from being refused.
RRN_PATTERN = re.compile(r"(?<!\d)\d\d-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])-?[1-8]\d{6}(?!\d)")

# Besides white space and Unicode's dashes (category Pd): the minus signs and the marks
# people put between groups of digits.
SEPARATORS = frozenset("_/.\u2212\u2043\u02d7\u2796")
# Invisible characters and combining marks, which an attacker slips between digits.
IGNORED_CATEGORIES = frozenset({"Cf", "Mn", "Me"})

RRN_MESSAGE = gettext_lazy("Please do not enter a resident registration number. We do not collect it.")


def _normalised(text: str) -> str:
    """Return the text with every decimal digit in ASCII, invisible characters dropped, and each run of
    separators made one hyphen."""
    characters = []
    for character in unicodedata.normalize("NFKC", text):
        category = unicodedata.category(character)
        if category in IGNORED_CATEGORIES:
            continue
        digit = unicodedata.decimal(character, None)
        if digit is not None:
            characters.append(str(digit))
        elif character.isspace() or category == "Pd" or character in SEPARATORS:
            if not characters or characters[-1] != "-":
                characters.append("-")
        else:
            characters.append(character)
    return "".join(characters)


def looks_like_rrn(text: str) -> bool:
    """Return whether the text contains something shaped like a resident registration number, however written."""
    return bool(RRN_PATTERN.search(_normalised(text)))


def text_refusal(text: str) -> str | None:
    """Return why the text may not be saved (a null character, or what looks like a resident registration
    number), or None when it may."""
    if "\x00" in text:
        return _("The text holds a character that cannot be saved (a null character).")
    if looks_like_rrn(text):
        return str(RRN_MESSAGE)
    return None


def reject_rrn(value: str) -> None:
    """Refuse, as a form field's validator, a value that looks like a resident registration number."""
    if isinstance(value, str) and looks_like_rrn(value):
        raise ValidationError(RRN_MESSAGE, code="rrn")
