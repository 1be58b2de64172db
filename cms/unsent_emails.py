"""HR's list of unsent emails: the notifications, certificate emails and attendance warnings whose sending failed.

Each app sends and retries its own emails (`core.outbox`); this screen, in the top app,
reads all three and sends one again on HR's confirmation.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.outbox import outbox_unsent
from curriculum.certificates.services import certificate_email_resend
from curriculum.models import AttendanceWarning, Certificate
from curriculum.services import attendance_warning_resend
from recruiting.models import Notification
from recruiting.services import notification_resend

# HR sees every branch, and with it every person these emails go to.
HR_PERMISSION = "recruiting.view_all_branches"


@dataclass(frozen=True)
class _Section:
    """One kind of email on the list: what names each row, and the rows with their resend link."""

    title: str
    nothing_left: str
    columns: tuple[str, str]
    rows: list[tuple[str, str, Model, str]]  # the two naming cells, the row, its resend URL name


@permission_required(HR_PERMISSION, raise_exception=True)
def unsent_emails_index(request: HttpRequest) -> HttpResponse:
    """List every email that failed to send and has not gone since, newest first."""
    newest_first = ("-created_at", "-pk")
    notifications = outbox_unsent(Notification.objects.select_related("applicant"), sent_field="sent_at").order_by(
        *newest_first
    )
    certificates = outbox_unsent(
        Certificate.objects.select_related("enrollment__applicant"), sent_field="emailed_at"
    ).order_by(*newest_first)
    warnings = outbox_unsent(
        AttendanceWarning.objects.select_related("enrollment__applicant", "enrollment__cohort"), sent_field="sent_at"
    ).order_by(*newest_first)
    sections = [
        _Section(
            _("Applicant notifications"),
            _("Every notification was sent."),
            (_("applicant"), _("email")),
            [(row.applicant.name, row.get_kind_display(), row, "unsent_emails:notification") for row in notifications],
        ),
        _Section(
            _("Certificate emails"),
            _("Every certificate email was sent."),
            (_("certificate"), _("graduate")),
            [(row.number, row.holder_name, row, "unsent_emails:certificate") for row in certificates],
        ),
        _Section(
            _("Attendance warnings"),
            _("Every attendance warning was sent."),
            (_("trainee"), _("week of")),
            [
                (
                    row.enrollment.applicant.name,
                    date_format(row.week_of, "DATE_FORMAT"),
                    row,
                    "unsent_emails:attendance_warning",
                )
                for row in warnings
            ],
        ),
    ]
    return TemplateResponse(
        request,
        "cms/admin/unsent_emails.html",
        {
            "page_title": _("Unsent emails"),
            "header_icon": "mail",
            "notifications": notifications,
            "certificates": certificates,
            "warnings": warnings,
            "sections": sections,
        },
    )


def _resend(request: HttpRequest, row: Model, *, what: str, resend) -> HttpResponse:
    """Ask to confirm sending `row`'s email again (GET), then queue it with `resend` (POST)."""
    if request.method == "POST":
        if resend():
            messages.success(request, _("The email is queued and will be sent in a moment: %(what)s") % {"what": what})
        else:
            messages.info(request, _("This email has been sent meanwhile: %(what)s") % {"what": what})
        return redirect("unsent_emails:index")
    return TemplateResponse(
        request,
        "cms/admin/unsent_email_resend.html",
        {"page_title": _("Send again"), "header_icon": "mail", "what": what, "error": row.send_error},
    )


@require_http_methods(["GET", "POST"])
@permission_required(HR_PERMISSION, raise_exception=True)
def notification_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then queue again, one applicant notification."""
    notification = get_object_or_404(Notification.objects.select_related("applicant"), pk=pk)
    what = f"{notification.get_kind_display()} — {notification.applicant.name}"
    return _resend(
        request,
        notification,
        what=what,
        resend=lambda: notification_resend(notification=notification, actor=request.user),
    )


@require_http_methods(["GET", "POST"])
@permission_required(HR_PERMISSION, raise_exception=True)
def certificate_email_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then queue again, the email of one certificate."""
    certificate = get_object_or_404(Certificate, pk=pk)
    what = f"{certificate.number} — {certificate.holder_name}"
    return _resend(
        request,
        certificate,
        what=what,
        resend=lambda: certificate_email_resend(certificate=certificate, actor=request.user),
    )


@require_http_methods(["GET", "POST"])
@permission_required(HR_PERMISSION, raise_exception=True)
def attendance_warning_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then queue again, one attendance warning."""
    warning = get_object_or_404(AttendanceWarning.objects.select_related("enrollment__applicant"), pk=pk)
    what = _("Attendance warning — %(trainee)s") % {"trainee": warning.enrollment.applicant.name}
    return _resend(
        request, warning, what=what, resend=lambda: attendance_warning_resend(warning=warning, actor=request.user)
    )
