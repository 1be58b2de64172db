"""Checks that keep personal data we must not collect out of every text field."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A resident registration number: YYMMDD, an optional separator, then a digit for
# century and sex followed by six digits. Requiring a plausible month and day keeps
# ordinary long numbers from being refused.
RRN_PATTERN = re.compile(r"(?<!\d)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\s*[-–—.]?\s*[1-8]\d{6}(?!\d)")


def looks_like_rrn(text: str) -> bool:
    """Return whether the text contains something shaped like a resident registration number."""
    return bool(RRN_PATTERN.search(text))


def reject_rrn(value: str) -> None:
    if isinstance(value, str) and looks_like_rrn(value):
        raise ValidationError(
            _("Please do not enter a resident registration number. We do not collect it."), code="rrn"
        )
