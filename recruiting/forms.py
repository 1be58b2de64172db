"""The forms of recruiting: they render and validate input; the rules live in services and constraints."""

import re
from datetime import date

from django import forms
from django.forms.boundfield import BoundWidget
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from core.validators import reject_rrn
from recruiting.models import (
    Applicant,
    Branch,
    ConsentNotice,
    District,
    ExportReason,
    PreferredTime,
    Province,
    RecruitmentRound,
    RejectionReason,
    Slot,
    Source,
)
from recruiting.phones import InvalidMobile, PlaceholderMobile, normalize_mobile
from recruiting.pipeline import CLOSING_MOVES, ApplicantStatus, staff_moves_from

# Letters of any script, spaces, and the dots and hyphens that names carry.
NAME_PATTERN = re.compile(r"^[^\W\d_]+(?:[ ·.\-'][^\W\d_]+)*$")
# Birth years outside this range are typos, not applicants; it is a plausibility check
# only, and the form neither filters nor flags anyone by age (DESIGN §2).
OLDEST_BIRTH_YEAR = 1930
YOUNGEST_AGE = 15


def _district_choices(districts: list[District]) -> list[tuple[str, list[tuple[int, str]]]]:
    return [("", "—")] + [
        (label, [(d.pk, d.name) for d in districts if d.province == value]) for value, label in Province.choices
    ]


class DistinctMultipleChoiceField(forms.MultipleChoiceField):
    """A multiple choice that takes each choice at most once.

    A browser sends each ticked box once; a script may send one value thousands of
    times, and each would be checked against the choices and stored.
    """

    default_error_messages = {"repeated": _("Please tick each option at most once.")}

    def validate(self, value: list[str]) -> None:
        # Counted before Django checks each value, so a flood costs one comparison.
        if len(value) > len(self.choices) or len(set(value)) != len(value):
            raise forms.ValidationError(self.error_messages["repeated"], code="repeated")
        super().validate(value)


class ApplicationForm(forms.Form):
    """The application (지원서): DESIGN §2's minimum, and the consents of the active notices."""

    name = forms.CharField(label=_("Name"), min_length=2, max_length=40, validators=[reject_rrn])
    mobile = forms.CharField(
        label=_("Mobile"),
        max_length=30,
        validators=[reject_rrn],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "010-1234-5678"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        validators=[reject_rrn],
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    birth_year = forms.IntegerField(
        label=_("Birth year"),
        help_text=_("Needed later for the insurance licence; it does not affect selection."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "1985"}),
    )
    province = forms.ChoiceField(label=_("Province"), choices=[("", "—"), *Province.choices])
    district = forms.TypedChoiceField(label=_("District"), coerce=int, choices=())
    preferred_branch = forms.ModelChoiceField(
        label=_("Preferred branch"),
        queryset=Branch.objects.all(),
        required=False,
        empty_label=_("The branch serving my district"),
    )
    round = forms.ModelChoiceField(
        label=_("Recruitment round"),
        queryset=RecruitmentRound.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    source = forms.ChoiceField(label=_("How did you hear of us?"), choices=[("", "—"), *Source.choices])
    motivation = forms.CharField(
        label=_("Why would you like to become a CS RC? (optional)"),
        required=False,
        max_length=1000,
        validators=[reject_rrn],
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    preferred_times = DistinctMultipleChoiceField(
        label=_("When would a consultation suit you? (optional)"),
        required=False,
        choices=PreferredTime.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    # A honeypot: hidden from people, filled in by bots that fill in everything.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, rounds: list[RecruitmentRound], **kwargs):
        super().__init__(*args, **kwargs)
        self.districts = list(District.objects.all())
        self.fields["district"].choices = _district_choices(self.districts)
        self.fields["round"].queryset = RecruitmentRound.objects.filter(pk__in=[r.pk for r in rounds])
        self.fields["round"].choices = [(r.pk, r.title) for r in rounds]
        self.notices = list(ConsentNotice.objects.filter(is_active=True))
        for notice in self.notices:
            self.fields[self.consent_field_name(notice)] = forms.BooleanField(
                label=notice.title,
                required=notice.is_required,
                error_messages={"required": _("You can only apply after agreeing to this notice.")},
            )
        if len(rounds) == 1:
            self.fields["round"].initial = rounds[0].pk

    @property
    def district_branches(self) -> dict[int, int]:
        """Return which branch serves each district, for the script that suggests one."""
        return {d.pk: d.branch_id for d in self.districts if d.branch_id}

    @staticmethod
    def consent_field_name(notice: ConsentNotice) -> str:
        return f"consent_{notice.key}"

    @property
    def consent_fields(self) -> list[tuple[ConsentNotice, forms.BoundField]]:
        return [(notice, self[self.consent_field_name(notice)]) for notice in self.notices]

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not NAME_PATTERN.match(name):
            raise forms.ValidationError(_("Please enter your name in letters only."), code="name")
        return name

    def clean_mobile(self) -> str:
        return _normalized_mobile(self.cleaned_data["mobile"])

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()

    def clean_birth_year(self) -> int:
        year = self.cleaned_data["birth_year"]
        latest = timezone.localdate().year - YOUNGEST_AGE
        if not OLDEST_BIRTH_YEAR <= year <= latest:
            raise forms.ValidationError(
                _("Please enter a birth year between %(first)d and %(last)d, e.g. 1985."),
                code="birth_year",
                params={"first": OLDEST_BIRTH_YEAR, "last": latest},
            )
        return year

    def clean(self) -> dict:
        cleaned = super().clean()
        district_id, province = cleaned.get("district"), cleaned.get("province")
        if district_id is not None and province:
            district = District.objects.select_related("branch").filter(pk=district_id).first()
            if district is None or district.province != province:
                self.add_error("district", _("Please choose a district of the province you chose."))
            else:
                cleaned["district"] = district
                self._choose_branch(cleaned, district)
        return cleaned

    def _choose_branch(self, cleaned: dict, district: District) -> None:
        branch = cleaned.get("preferred_branch") or district.branch
        if branch is None:
            self.add_error("preferred_branch", _("No branch serves your district yet; please choose one."))
            return
        cleaned["preferred_branch"] = branch

    def consents(self) -> dict[ConsentNotice, bool]:
        """Return each shown notice with whether the applicant ticked it."""
        return {notice: bool(self.cleaned_data.get(self.consent_field_name(notice))) for notice in self.notices}


def _normalized_mobile(value: str) -> str:
    try:
        return normalize_mobile(value)
    except PlaceholderMobile:
        raise forms.ValidationError(
            _("This is not a real mobile number. Please enter your own, such as 010-1234-5678."), code="mobile"
        ) from None
    except InvalidMobile:
        raise forms.ValidationError(_("Please enter a mobile number such as 010-1234-5678."), code="mobile") from None


class ContactChangeForm(forms.Form):
    """The applicant corrects her email or mobile on her status page."""

    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        validators=[reject_rrn],
        help_text=_("A new address changes once you open the link we send to it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    mobile = forms.CharField(
        label=_("Mobile"),
        max_length=30,
        validators=[reject_rrn],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "010-1234-5678"}),
    )

    def clean_mobile(self) -> str:
        return _normalized_mobile(self.cleaned_data["mobile"])

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()


class StatusLinkForm(forms.Form):
    """'I lost my link': the email or mobile an application was made with."""

    contact = forms.CharField(
        label=_("Email or mobile number you applied with"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "email"}),
    )

    def clean_contact(self) -> str:
        contact = self.cleaned_data["contact"].strip()
        if "@" in contact:
            return contact.lower()
        try:
            return normalize_mobile(contact)
        except InvalidMobile:
            raise forms.ValidationError(
                _("Please enter an email address or a mobile number such as 010-1234-5678."), code="contact"
            ) from None


class TransitionForm(forms.Form):
    """Move an applicant to another stage; `expected_status` is the stage the staff member saw."""

    to = forms.ChoiceField(label=_("Move to"))
    expected_status = forms.ChoiceField(choices=ApplicantStatus.choices, widget=forms.HiddenInput)
    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", _("Choose…")), *RejectionReason.choices], required=False
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[reject_rrn],
    )
    # Set by the confirmation step that closing an application must pass (DESIGN §8).
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, applicant: Applicant, **kwargs):
        super().__init__(*args, initial={"expected_status": applicant.status}, **kwargs)
        # Starts empty: the first stage offered may be 불합격, which must never be a default.
        self.fields["to"].choices = [("", _("Choose…"))] + [
            (status.value, status.label) for status in staff_moves_from(applicant.status)
        ]
        self.fields["to"].error_messages["invalid_choice"] = _(
            "This application cannot be moved there from its current stage."
        )
        self.fields["to"].error_messages["required"] = _("Choose the next stage.")

    @property
    def needs_confirmation(self) -> bool:
        """Return whether this valid move closes the application and has not been confirmed yet."""
        return self.cleaned_data["to"] in CLOSING_MOVES and not self.cleaned_data["confirmed"]


class StaffNoteForm(forms.Form):
    text = forms.CharField(
        label=_("New note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), validators=[reject_rrn]
    )


class ExportReasonForm(forms.Form):
    """Why a list is exported; the answer goes into the access record (DESIGN §2)."""

    # Starts empty: the reason is recorded as the staff member's answer, so it is never a default.
    reason = forms.ChoiceField(
        label=_("Why are you exporting this list?"),
        choices=[("", _("Choose…")), *ExportReason.choices],
        error_messages={"required": _("Choose why you are exporting this list.")},
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False, validators=[reject_rrn])


class SlotChoiceForm(forms.Form):
    """Choose a time to book from the slots offered."""

    slot = forms.ModelChoiceField(
        label=_("Time"),
        queryset=Slot.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a time."),
            "invalid_choice": _("That time is no longer available. Choose another."),
        },
    )

    def __init__(self, *args, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = slots
        self.fields["slot"].label_from_instance = _slot_label

    @property
    def days(self) -> list[tuple[date, list[tuple[Slot, BoundWidget]]]]:
        """Return the choices grouped by their day in Seoul, each with its slot, for a day-by-day picker."""
        days: dict[date, list[tuple[Slot, BoundWidget]]] = {}
        for radio in self["slot"]:
            slot = radio.data["value"].instance
            days.setdefault(timezone.localdate(slot.starts_at), []).append((slot, radio))
        return list(days.items())


def _slot_label(slot: Slot) -> str:
    when = formats.date_format(timezone.localtime(slot.starts_at), "DATETIME_FORMAT")
    return f"{slot.get_kind_display()} · {when} · {slot.place}"
