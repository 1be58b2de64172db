"""Forms of the public side of assignments: the code a customer types to check her consultant."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from curriculum.models import VERIFICATION_ALPHABET

CODE_LENGTH = 12
CODE = re.compile(f"[{VERIFICATION_ALPHABET}]{{{CODE_LENGTH}}}")


def normalise_code(value: str) -> str:
    """Return a verification code as stored: capitals, without the spaces and dashes people type."""
    return re.sub(r"[\s-]", "", value).upper()


class ConsultantLookupForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        help_text=_("The 12 letters and digits at the end of the link in your text message, or on your letter"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not CODE.fullmatch(code):
            raise forms.ValidationError(_("A verification code is 12 letters and digits, e.g. ABCD2345EFGH."))
        return code
