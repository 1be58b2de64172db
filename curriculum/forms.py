import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.validators import reject_rrn
from curriculum.models import Certificate, Enrollment


class MilestoneForm(forms.ModelForm):
    """A trainee's milestones before they may sell: the licensing exam, registration training and registration."""

    class Meta:
        model = Enrollment
        fields = [
            "exam_date",
            "exam_score",
            "exam_passed",
            "registration_hours",
            "registered_on",
            "registration_number",
        ]
        widgets = {
            "exam_date": forms.DateInput(attrs={"type": "date"}),
            "registered_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration_number"].validators.append(reject_rrn)

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        for name in ("exam_date", "registered_on"):
            if cleaned.get(name) and cleaned[name] > today:
                self.add_error(name, _("This date has not come yet."))
        if cleaned.get("exam_passed") and not cleaned.get("exam_date"):
            self.add_error("exam_date", _("Give the date of the exam that was passed."))
        if bool(cleaned.get("registered_on")) != bool(cleaned.get("registration_number", "").strip()):
            self.add_error("registration_number", _("Give both the registration date and its number, or neither."))
        if cleaned.get("registered_on") and not cleaned.get("exam_passed"):
            self.add_error("registered_on", _("Registration comes after passing the licensing exam."))
        return cleaned


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
