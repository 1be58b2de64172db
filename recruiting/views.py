"""The applicant's side: the application form, its confirmation, and the private status page."""

import logging

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.ratelimit import client_address, over_limit, too_many_requests
from recruiting.errors import ApplicationError
from recruiting.forms import ApplicationForm, ContactChangeForm, SlotChoiceForm, StatusLinkForm
from recruiting.models import Applicant, Appointment, AppointmentStatus, RecruitmentRound, Slot
from recruiting.pipeline import ApplicantStatus, SlotKind, bookable_kinds
from recruiting.services import (
    applicant_change_mobile,
    applicant_confirm_email_change,
    applicant_remind_of_application,
    applicant_request_deletion,
    applicant_request_email_change,
    applicant_request_status_links,
    applicant_submit,
    applicant_withdraw,
    appointment_book,
    appointment_cancel,
)

logger = logging.getLogger(__name__)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def application_form(request: HttpRequest, *, page) -> HttpResponse:
    """Show the application form of the apply page, or record the application it posts."""
    rounds = list(RecruitmentRound.objects.open())
    if not rounds:
        return TemplateResponse(request, "recruiting/apply_closed.html", {"page": page})
    form = ApplicationForm(request.POST or None, rounds=rounds)
    if request.method == "POST":
        if over_limit("apply:address", client_address(request)):
            return too_many_requests(request)
        if form.is_bot:
            # Answer a bot as if it succeeded, so it learns nothing, and keep nothing.
            logger.warning("Application honeypot filled; nothing was saved")
            return redirect(page.url + "done/")
        if form.is_valid():
            if over_limit("apply:mobile", form.cleaned_data["mobile"]):
                return too_many_requests(request)
            data = form.cleaned_data
            try:
                applicant, created = applicant_submit(
                    round=data["round"],
                    name=data["name"],
                    mobile=data["mobile"],
                    email=data["email"],
                    birth_year=data["birth_year"],
                    district=data["district"],
                    preferred_branch=data["preferred_branch"],
                    source=data["source"],
                    motivation=data["motivation"],
                    preferred_times=data["preferred_times"],
                    consents=form.consents(),
                )
            except ApplicationError as error:
                form.add_error(error.field, str(error))
            else:
                # The same page follows either way: whether a number has applied is nobody else's business.
                if not created and not over_limit("status_link:contact", applicant.mobile):
                    applicant_remind_of_application(applicant=applicant)
                return redirect(page.url + "done/")
    return TemplateResponse(request, "recruiting/apply.html", {"page": page, "form": form})


@never_cache
def application_done(request: HttpRequest, *, page) -> HttpResponse:
    """Say what happens next. The same for everyone: it shows nothing personal."""
    return TemplateResponse(request, "recruiting/apply_done.html", {"page": page})


def _applicant_for_token(token: str) -> Applicant:
    applicant = (
        Applicant.objects.select_related("round", "preferred_branch", "district").filter(status_token=token).first()
    )
    if applicant is None:
        raise Http404
    return applicant


@never_cache
def status(request: HttpRequest, token: str) -> HttpResponse:
    """Show the applicant where their application stands and what comes next."""
    if over_limit("status_page:address", client_address(request)):
        return too_many_requests(request)
    applicant = _applicant_for_token(token)
    can_book = SlotKind.CONSULTATION in bookable_kinds(applicant.status)
    current = _current_consultation(applicant)
    current_slot_id = current.slot_id if current else None
    context = {
        "applicant": applicant,
        "next_step": next_step(applicant),
        "appointments": _upcoming_bookings(applicant),
        "current_slot_id": current_slot_id,
        "booking_form": (
            SlotChoiceForm(slots=_consultation_choices(applicant, current), initial={"slot": current_slot_id})
            if can_book
            else None
        ),
    }
    return render(request, "recruiting/status.html", context)


def _upcoming_bookings(applicant: Applicant):
    # Past bookings are history; the page shows what is still to come.
    return applicant.appointments.upcoming().select_related("slot__branch")


def _current_consultation(applicant: Applicant) -> Appointment | None:
    return _upcoming_bookings(applicant).filter(kind=SlotKind.CONSULTATION).first()


def _consultation_choices(applicant: Applicant, current: Appointment | None):
    """Return the free consultation times, and the applicant's own time, which is full with her in it."""
    free = Slot.objects.bookable_for(applicant, [SlotKind.CONSULTATION]).values("pk")
    own = Q(pk=current.slot_id) if current else Q(pk__in=[])
    return Slot.objects.filter(Q(pk__in=free) | own).select_related("branch")


@never_cache
@require_POST
def status_book(request: HttpRequest, token: str) -> HttpResponse:
    """Book (or move) the applicant's consultation into the time they chose."""
    applicant = _applicant_for_token(token)
    current = _current_consultation(applicant)
    form = SlotChoiceForm(request.POST, slots=_consultation_choices(applicant, current))
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["slot"]))
    elif current is not None and form.cleaned_data["slot"].pk == current.slot_id:
        messages.info(request, _("That is already your time, so nothing was changed."))
    else:
        try:
            appointment_book(applicant=applicant, slot=form.cleaned_data["slot"])
        except ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your consultation is booked. The confirmation is on its way by email."))
    return redirect("recruiting:status", token)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def status_cancel_appointment(request: HttpRequest, token: str, appointment_id: int) -> HttpResponse:
    """Ask for confirmation, then cancel one of the applicant's own bookings."""
    applicant = _applicant_for_token(token)
    appointment = get_object_or_404(
        applicant.appointments.select_related("slot__branch"), pk=appointment_id, status=AppointmentStatus.BOOKED
    )
    if request.method == "POST":
        appointment_cancel(appointment=appointment)
        messages.success(request, _("Your appointment is cancelled."))
        return redirect("recruiting:status", token)
    return render(request, "recruiting/status_cancel.html", {"applicant": applicant, "appointment": appointment})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def status_contact(request: HttpRequest, token: str) -> HttpResponse:
    """Let the applicant correct her email and mobile; a new email counts once confirmed at that address."""
    applicant = _applicant_for_token(token)
    if applicant.deletion_requested_at is not None:
        return redirect("recruiting:status", token)
    form = ContactChangeForm(
        request.POST or None, initial={"email": applicant.email, "mobile": applicant.mobile_display}
    )
    if request.method == "POST" and form.is_valid():
        email, mobile = form.cleaned_data["email"], form.cleaned_data["mobile"]
        if email == applicant.email and mobile == applicant.mobile:
            messages.info(request, _("Nothing has changed: these are the details we have."))
            return redirect("recruiting:status", token)
        # The lost-link limits: nobody floods an inbox with confirmations or probes numbers here.
        if over_limit("status_link:contact", email if email != applicant.email else mobile):
            return too_many_requests(request)
        try:
            if mobile != applicant.mobile:
                applicant_change_mobile(applicant=applicant, mobile=mobile)
                messages.success(request, _("Your mobile number is changed. We have confirmed it by email."))
        except ApplicationError as error:
            form.add_error("mobile", str(error))
        else:
            if email != applicant.email:
                applicant_request_email_change(applicant=applicant, email=email)
                messages.success(
                    request,
                    _("We have sent a confirmation link to %(email)s. Your email address changes when you open it.")
                    % {"email": email},
                )
            return redirect("recruiting:status", token)
    return render(request, "recruiting/status_contact.html", {"applicant": applicant, "form": form})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def status_contact_confirm(request: HttpRequest, token: str, change_token: str) -> HttpResponse:
    """Ask, then confirm the new email address. A GET changes nothing, as mail scanners follow links."""
    applicant = _applicant_for_token(token)
    change = applicant.email_changes.filter(token=change_token).first()
    if request.method == "POST":
        try:
            applicant_confirm_email_change(applicant=applicant, token=change_token)
        except ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your email address is changed."))
        return redirect("recruiting:status", token)
    return render(request, "recruiting/status_contact_confirm.html", {"applicant": applicant, "change": change})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def status_withdraw(request: HttpRequest, token: str) -> HttpResponse:
    """Ask for confirmation, then withdraw the application."""
    applicant = _applicant_for_token(token)
    if request.method == "POST":
        try:
            applicant_withdraw(applicant=applicant, note=_("Withdrawn by the applicant."))
        except ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your application has been withdrawn."))
        return redirect("recruiting:status", token)
    if not applicant.can_become(ApplicantStatus.WITHDRAWN):
        return redirect("recruiting:status", token)
    return render(request, "recruiting/status_withdraw.html", {"applicant": applicant})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def status_delete(request: HttpRequest, token: str) -> HttpResponse:
    """Ask for confirmation, then record the request to delete the applicant's data."""
    applicant = _applicant_for_token(token)
    in_training = applicant.status == ApplicantStatus.ENROLLED
    if request.method == "POST":
        applicant_request_deletion(applicant=applicant)
        if in_training:
            messages.success(request, _("We have your request. What only your application needed is destroyed now."))
        else:
            messages.success(request, _("We have your request. Your personal data will be destroyed within a day."))
        return redirect("recruiting:status", token)
    context = {"applicant": applicant, "in_training": in_training, "training_retention": training_retention_words()}
    return render(request, "recruiting/status_delete.html", context)


def training_retention_words() -> str:
    """Return how long a training record is kept after the training or the work ends, in words (3년)."""
    days = settings.TRAINING_RECORD_RETENTION_DAYS
    if days % 365 == 0:
        return ngettext("%(years)d year", "%(years)d years", days // 365) % {"years": days // 365}
    return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def status_link_request(request: HttpRequest) -> HttpResponse:
    """'I lost my link': email it again. The answer never says whether an application exists."""
    form = StatusLinkForm(request.POST or None)
    if request.method == "POST":
        if over_limit("status_link:address", client_address(request)):
            return too_many_requests(request)
        if form.is_valid():
            contact = form.cleaned_data["contact"]
            if not over_limit("status_link:contact", contact):
                applicant_request_status_links(contact=contact)
            return render(request, "recruiting/status_link_sent.html")
    return render(request, "recruiting/status_link_request.html", {"form": form})


def next_step(applicant: Applicant) -> str:
    """Return, in the applicant's words, what happens next at their stage."""
    steps = {
        ApplicantStatus.SUBMITTED: _(
            "Book an application consultation at a time that suits you below, or your branch will call you "
            "within three business days to arrange one."
        ),
        ApplicantStatus.CONSULTATION_BOOKED: _(
            "Your consultation is booked. You can move it to another time below if you need to."
        ),
        ApplicantStatus.CONSULTED: _("Thank you for the consultation. The branch will contact you about an interview."),
        ApplicantStatus.INTERVIEW: _("You are invited to an interview. The result will reach you by email."),
        ApplicantStatus.ACCEPTED: _(
            "Congratulations, you are accepted. We will email you the start of your cohort's training."
        ),
        ApplicantStatus.ENROLLED: _("You are enrolled in a cohort. Your trainer will guide you from here."),
        ApplicantStatus.REJECTED: _("Thank you for applying. We could not offer you a place this time."),
        ApplicantStatus.WITHDRAWN: _("You have withdrawn this application. You are welcome to apply again."),
        ApplicantStatus.LAPSED: _(
            "The round ended before a decision was made, so this application is closed. "
            "You are welcome to apply to a later round."
        ),
    }
    return steps[applicant.status]
