"""The workspace's forms: they read and type-check what the consultant sends; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assignments.models import ContactKind, ContactOutcome, ProductLine
from assignments.services.contacts import NEXT_STEP_MAX_LENGTH, NOTE_MAX_LENGTH
from core.validators import reject_rrn

SEARCH_MAX_LENGTH = 50


class CustomerSearchForm(forms.Form):
    """Her list's search (a name, or mobile digits) and its filter by product line."""

    q = forms.CharField(label=_("Name or mobile number"), max_length=SEARCH_MAX_LENGTH, required=False, strip=True)
    line = forms.ChoiceField(
        label=_("Product line"),
        choices=[("", _("Every product line")), *ProductLine.choices],
        required=False,
    )


class DateInput(forms.DateInput):
    input_type = "date"


class ContactForm(forms.Form):
    """A contact as she records it: the kind, then reached or not (the button she taps), what came of it."""

    kind = forms.ChoiceField(
        label=pgettext_lazy("contact form", "How"), choices=ContactKind.choices, widget=forms.RadioSelect
    )
    outcome = forms.ChoiceField(
        label=_("Outcome (if you reached her)"),
        choices=ContactOutcome.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        validators=[reject_rrn],
        help_text=_("Never a resident registration number."),
    )
    next_step = forms.CharField(
        label=_("Next step"),
        max_length=NEXT_STEP_MAX_LENGTH,
        required=False,
        validators=[reject_rrn],
        help_text=_("For example: call back about the renewal"),
    )
    next_step_on = forms.DateField(label=pgettext_lazy("next step", "On"), required=False, widget=DateInput)
    # The two submit buttons of the form carry it: "reached" or "not reached".
    reached = forms.TypedChoiceField(
        choices=[("yes", _("Reached")), ("no", _("Not reached"))],
        coerce=lambda value: value == "yes",
        widget=forms.HiddenInput,
        error_messages={"required": _("Tap whether you reached the customer.")},
    )
