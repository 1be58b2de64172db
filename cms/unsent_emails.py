"""HR's list of unsent emails: the notifications, certificate emails, attendance warnings and branch managers'
weekly digests whose sending failed, and the customers' notices of their new manager (text messages, grouped by
plan, and letters).

Each app sends and retries its own emails and messages (`core.outbox`); this screen, in the
top app, reads them all and sends one again on HR's confirmation.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Max, Min, Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from assignments.models import AssignmentRun, BranchDigest, CustomerLetterBatch, CustomerNotice, NoticeChannel
from assignments.services.digests import branch_digest_resend
from assignments.services.notices import customer_letters_resend, customer_notices_resend
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
    digests = outbox_unsent(BranchDigest.objects.select_related("branch", "recipient"), sent_field="sent_at").order_by(
        *newest_first
    )
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
        _Section(
            _("Branch weekly digests"),
            _("Every weekly digest was sent."),
            (_("branch manager"), _("week of")),
            [
                (
                    _recipient_name(row),
                    date_format(row.week_of, "DATE_FORMAT"),
                    row,
                    "unsent_emails:branch_digest",
                )
                for row in digests
            ],
        ),
    ]
    sections += _customer_notice_sections()
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


def _recipient_name(digest: BranchDigest) -> str:
    """Return who a digest goes to, and for which branch."""
    recipient = digest.recipient
    return f"{recipient.get_full_name() or recipient.get_username()} · {digest.branch.name}"


def _customer_notice_sections() -> list[_Section]:
    """Return the customers' failed text messages, one row per plan (a gateway down fails them by the
    thousand), and the plans whose letters could not be rendered."""
    failed = (
        outbox_unsent(CustomerNotice.objects.filter(channel=NoticeChannel.TEXT), sent_field="sent_at")
        .order_by()
        .values("run")
        .annotate(
            count=Count("pk"),
            send_attempts=Max("send_attempts"),
            send_error=Max("send_error"),
            send_next_attempt_at=Min("send_next_attempt_at"),
        )
    )
    runs = AssignmentRun.objects.in_bulk([row["run"] for row in failed])
    texts = [
        (
            str(runs[row["run"]]),
            ngettext("%(count)s customer", "%(count)s customers", row["count"]) % {"count": row["count"]},
            {**row, "pk": row["run"]},
            "unsent_emails:customer_notices",
        )
        for row in sorted(failed, key=lambda row: -row["run"])
    ]
    letters = outbox_unsent(
        CustomerLetterBatch.objects.select_related("run__branch"), sent_field="rendered_at"
    ).order_by("-created_at", "-pk")
    return [
        _Section(
            _("Customer notices by text message"),
            _("Every customer notice was sent."),
            (_("assignment plan"), _("not sent to")),
            texts,
        ),
        _Section(
            _("Customer letters"),
            _("Every plan's letters were prepared."),
            (_("assignment plan"), _("branch")),
            [
                (
                    str(row),
                    row.run.branch.name if row.run.branch else _("All branches"),
                    row,
                    "unsent_emails:customer_letters",
                )
                for row in letters
            ],
        ),
    ]


def _resend(request: HttpRequest, row: Model | dict, *, what: str, resend, question: str = "") -> HttpResponse:
    """Ask to confirm sending `row`'s email again (GET), then queue it with `resend` (POST).

    `question` replaces the page's question about an email, for the customers' notices.
    """
    if request.method == "POST":
        if resend():
            messages.success(request, _("The email is queued and will be sent in a moment: %(what)s") % {"what": what})
        else:
            messages.info(request, _("This email has been sent meanwhile: %(what)s") % {"what": what})
        return redirect("unsent_emails:index")
    error = row["send_error"] if isinstance(row, dict) else row.send_error
    return TemplateResponse(
        request,
        "cms/admin/unsent_email_resend.html",
        {"page_title": _("Send again"), "header_icon": "mail", "what": what, "question": question, "error": error},
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


@require_http_methods(["GET", "POST"])
@permission_required(HR_PERMISSION, raise_exception=True)
def branch_digest_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then queue again, one branch manager's weekly digest."""
    digest = get_object_or_404(BranchDigest.objects.select_related("branch", "recipient"), pk=pk)
    what = _("Weekly digest of %(week)s — %(recipient)s") % {
        "week": date_format(digest.week_of, "DATE_FORMAT"),
        "recipient": _recipient_name(digest),
    }
    return _resend(request, digest, what=what, resend=lambda: branch_digest_resend(digest=digest, actor=request.user))


@require_http_methods(["GET", "POST"])
@permission_required(HR_PERMISSION, raise_exception=True)
def customer_notices_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then queue again, every text message of one plan that could not be sent."""
    run = get_object_or_404(AssignmentRun, pk=pk)
    unsent = outbox_unsent(CustomerNotice.objects.filter(run=run, channel=NoticeChannel.TEXT), sent_field="sent_at")
    failed = unsent.aggregate(count=Count("pk"), send_error=Max("send_error"))
    what = ngettext(
        "%(run)s: the notice to %(count)s customer", "%(run)s: the notices to %(count)s customers", failed["count"]
    ) % {"run": run, "count": failed["count"]}
    return _resend(
        request,
        failed,
        what=what,
        question=_("Send these text messages again? %(what)s") % {"what": what},
        resend=lambda: customer_notices_resend(run=run, actor=request.user) > 0,
    )


@require_http_methods(["GET", "POST"])
@permission_required(HR_PERMISSION, raise_exception=True)
def customer_letters_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then queue again, the rendering of one plan's letters."""
    batch = get_object_or_404(CustomerLetterBatch.objects.select_related("run"), pk=pk)
    what = _("The letters of %(run)s") % {"run": batch.run}
    return _resend(
        request,
        batch,
        what=what,
        question=_("Prepare these letters again? %(what)s") % {"what": what},
        resend=lambda: customer_letters_resend(batch=batch, actor=request.user),
    )
