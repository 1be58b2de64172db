"""Input forms of curriculum: they render and check the types; the rules live in the services and constraints."""

import re

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from curriculum.models import Certificate, Enrollment
from curriculum.services import MILESTONE_FIELDS


class MilestoneForm(forms.Form):
    """A trainee's milestones before they may sell: the licensing exam, registration training and registration.

    `enrollment_milestones_update` decides what may be saved; its refusal is shown on the field it names.
    """

    def __init__(self, *args, enrollment: Enrollment, **kwargs):
        super().__init__(*args, initial=model_to_dict(enrollment, fields=MILESTONE_FIELDS), **kwargs)
        self.fields.update(
            fields_for_model(
                Enrollment,
                fields=MILESTONE_FIELDS,
                widgets={
                    "exam_date": forms.DateInput(attrs={"type": "date"}),
                    "registered_on": forms.DateInput(attrs={"type": "date"}),
                },
            )
        )
        for name, field in self.fields.items():
            # The ranges a model form would check on save: a score out of 100, hours from 0.
            ranges = Enrollment._meta.get_field(name).validators
            field.validators.extend(v for v in ranges if isinstance(v, MinValueValidator | MaxValueValidator))


NUMBER_PATTERN = re.compile(r"^\s*(?:제\s*)?(\d{4})\s*-\s*(\d{1,6})\s*(?:호)?\s*$")


class CertificateLookupForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=20, help_text=_("e.g. 제 2026-0001 호"))
    code = forms.CharField(
        label=_("Verification code"), max_length=16, help_text=_("The 12 letters and digits under the QR code")
    )

    def clean(self):
        cleaned = super().clean()
        match = NUMBER_PATTERN.match(cleaned.get("number", ""))
        code = cleaned.get("code", "").strip().upper()
        if not match or not code:
            if cleaned.get("number") and not match:
                self.add_error("number", _("Write the number as printed, e.g. 제 2026-0001 호."))
            return cleaned
        certificate = Certificate.objects.filter(
            year=int(match[1]), serial=int(match[2]), verification_code=code
        ).first()
        if certificate is None:
            # One answer for a wrong number and a wrong code, so neither can be probed alone.
            raise forms.ValidationError(_("No certificate has this number and code. Check both and try again."))
        cleaned["certificate"] = certificate
        return cleaned
