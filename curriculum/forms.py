from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from curriculum.models import Enrollment
from recruiting.validators import reject_rrn


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
