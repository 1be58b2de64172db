"""Training screens in the Wagtail admin: cohorts and enrollment (the tracker screens build on these).

Cohorts are read through `Cohort.objects.visible_to(user)`: HR sees all, a trainer the
cohorts they train, a branch manager their branch's; anything else answers 404.
"""

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.forms import modelform_factory
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import TitleColumn
from wagtail.admin.views.generic import CreateView, EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from core.validators import text_refusal
from curriculum import errors, services
from curriculum.certificates import services as certificates
from curriculum.certificates.storage import private_pdf_response
from curriculum.forms import MilestoneForm
from curriculum.models import (
    ATTENDED,
    Attendance,
    AttendanceStatus,
    Certificate,
    CertificateEvent,
    CertificateStatus,
    Cohort,
    EnrollmentStatus,
    ModuleResult,
    ModuleResultChange,
)
from curriculum.progress import cohort_progress
from recruiting.models import Applicant, ApplicantStatus


def _cohorts_for(user):
    """Return the cohorts `user` may see; a role with no training screens is refused (403)."""
    if not (user.has_perm("curriculum.view_cohort") or user.has_perm("curriculum.mark_cohort")):
        raise PermissionDenied
    return Cohort.objects.visible_to(user).select_related("branch", "curriculum", "round")


def _get_cohort_for_user(request: HttpRequest, pk: int) -> Cohort:
    return get_object_or_404(_cohorts_for(request.user), pk=pk)


class CohortForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainers"].queryset = (
            self.fields["trainers"].queryset.filter(groups__permissions__codename="mark_cohort").distinct()
        )


class CohortIndexView(IndexView):
    def get_base_queryset(self):
        return _cohorts_for(self.request.user)


class CohortCreateView(CreateView):
    def save_instance(self):
        # The status is not the form's: it starts planned and follows the dates from here.
        return services.cohort_record_new(cohort=super().save_instance(), actor=self.request.user)


class CohortEditView(EditView):
    def save_instance(self):
        cohort = super().save_instance()
        # A start date moved to today or earlier takes effect now, not at the next daily run.
        services.cohorts_advance(cohort=cohort)
        cohort.refresh_from_db(fields=["status"])
        return cohort


class CohortViewSet(ModelViewSet):
    model = Cohort
    icon = "group"
    menu_label = gettext_lazy("Cohorts")
    form_fields = ["number", "branch", "curriculum", "round", "starts_on", "capacity", "trainers"]
    list_display = [
        TitleColumn(
            "number",
            label=gettext_lazy("cohort"),
            accessor=str,
            sort_key="number",
            get_url=lambda cohort: reverse("cohorts:dashboard", args=[cohort.pk]),
        ),
        "starts_on",
        "ends_on",
        "capacity",
        "status",
    ]
    list_filter = ["status", "branch"]
    index_view_class = CohortIndexView
    add_view_class = CohortCreateView
    edit_view_class = CohortEditView
    inspect_view_enabled = False
    copy_view_enabled = False
    edit_template_name = "curriculum/admin/cohort_edit.html"

    def get_form_class(self, for_update=False):
        return modelform_factory(
            self.model, form=CohortForm, fields=self.form_fields, formfield_callback=self.formfield_for_dbfield
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/enroll/", cohort_enroll, name="enroll"),
            path("<int:pk>/", cohort_dashboard, name="dashboard"),
            path("<int:pk>/marks/", cohort_marks, name="marks"),
            path(
                "<int:pk>/marks/<int:enrollment_pk>/<int:module_pk>/",
                cohort_mark_history,
                name="mark_history",
            ),
            path("<int:pk>/attendance/", cohort_attendance, name="attendance"),
            path("<int:pk>/attendance/<str:day>/", cohort_attendance, name="attendance_day"),
            path("<int:pk>/graduation/", cohort_graduation, name="graduation"),
            path("<int:pk>/trainees/<int:enrollment_pk>/", cohort_trainee, name="trainee"),
            path(
                "<int:pk>/trainees/<int:enrollment_pk>/graduate-early/",
                enrollment_graduate_early,
                name="graduate_early",
            ),
            path("<int:pk>/trainees/<int:enrollment_pk>/certificate/", certificate_issue, name="certificate_issue"),
            path("<int:pk>/certificates/<int:certificate_pk>/pdf/", certificate_pdf, name="certificate_pdf"),
            path("<int:pk>/certificates/batch/", certificate_batch_start, name="certificate_batch_start"),
            path("<int:pk>/certificates/batch/<int:batch_pk>/", certificate_batch, name="certificate_batch"),
            path(
                "<int:pk>/certificates/<int:certificate_pk>/<str:action>/",
                certificate_change,
                name="certificate_change",
            ),
        ]


@require_POST
@permission_required("curriculum.change_cohort", raise_exception=True)
def cohort_enroll(request: HttpRequest, pk: int) -> HttpResponse:
    """Enroll the accepted applicants of the cohort's round and branch (all, or the one posted)."""
    cohort = _get_cohort_for_user(request, pk)
    applicant_id = request.POST.get("applicant")
    if applicant_id:
        applicant = get_object_or_404(
            Applicant.objects.filter(status=ApplicantStatus.ACCEPTED), pk=applicant_id if applicant_id.isdigit() else 0
        )
        try:
            services.enrollment_enroll(cohort=cohort, applicant=applicant, actor=request.user)
        except errors.TrainingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("%(name)s joined the cohort.") % {"name": applicant.name})
    else:
        joined, problems = services.cohort_enroll_accepted(cohort=cohort, actor=request.user)
        messages.success(request, _("%(count)s accepted applicants joined the cohort.") % {"count": joined})
        for problem in problems:
            messages.warning(request, problem)
    return redirect("cohorts:edit", pk=cohort.pk)


def _cohort_page(request: HttpRequest, template: str, cohort: Cohort, title: str, **context) -> TemplateResponse:
    return TemplateResponse(
        request,
        f"curriculum/admin/{template}",
        {
            "page_title": title,
            "page_subtitle": str(cohort),
            "header_icon": "group",
            "cohort": cohort,
            "can_mark": request.user.has_perm("curriculum.mark_cohort"),
            "can_graduate": request.user.has_perm("curriculum.change_cohort"),
            **context,
        },
    )


@require_http_methods(["GET"])
def cohort_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the cohort at a glance: each trainee's progress, attendance and risks, and two charts."""
    cohort = _get_cohort_for_user(request, pk)
    today = timezone.localdate()
    modules, trainees = cohort_progress(cohort, today=today)
    for trainee in trainees:
        trainee.heat = [(module, trainee.status_of(module)) for module in modules]
    daily = [
        {"day": row["day"], "rate": round(100 * row["attended"] / row["meetings"]) if row["meetings"] else 0, **row}
        for row in Attendance.objects.filter(enrollment__cohort=cohort)
        .values("day")
        .annotate(meetings=Count("pk"), attended=Count("pk", filter=Q(status__in=ATTENDED)))
        .order_by("day")
    ]
    in_training = [trainee for trainee in trainees if trainee.enrollment.status == EnrollmentStatus.ACTIVE]
    return _cohort_page(
        request,
        "cohort_dashboard.html",
        cohort,
        _("Cohort dashboard"),
        modules=modules,
        trainees=trainees,
        daily=_label_chart_days(daily),
        # Graduates are past risk: only those still in training are counted and flagged.
        at_risk=sum(1 for trainee in in_training if trainee.at_risk),
        in_training=len(in_training),
        graduated=len(trainees) - len(in_training),
        left=cohort.enrollments.filter(status=EnrollmentStatus.LEFT).count(),
        threshold=settings.GRADUATION_ATTENDANCE_PERCENT,
        events=cohort.events.select_related("actor"),
    )


# Up to this many meeting days, every bar of the attendance chart carries its date.
CHART_DAYS_ALL_LABELLED = 15


def _label_chart_days(daily: list[dict]) -> list[dict]:
    """Mark the bars whose date is printed under the chart: all of a short run, else each week's first meeting."""
    previous_week = None
    for row in daily:
        week = row["day"].isocalendar()[:2]
        row["labelled"] = len(daily) <= CHART_DAYS_ALL_LABELLED or week != previous_week
        previous_week = week
    return daily


def _cell_name(enrollment_id: int, module_id: int) -> str:
    return f"c-{enrollment_id}-{module_id}"


@require_http_methods(["GET", "POST"])
def cohort_marks(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the marking grid (trainees × modules); a trainer marks many cells and saves once.

    Trainees in training come first and are editable. Below them, those who graduated or
    left keep their marks on show, read-only and labelled (수료 / 중도 퇴소).
    """
    cohort = _get_cohort_for_user(request, pk)
    cell_errors: dict[tuple[int, int], str] = {}
    typed: dict[tuple[int, int], str] = {}
    if request.method == "POST":
        if not request.user.has_perm("curriculum.mark_cohort"):
            raise PermissionDenied
        for name, value in request.POST.items():
            parts = name.split("-")
            if len(parts) == 3 and parts[0] == "c" and parts[1].isdigit() and parts[2].isdigit():
                typed[(int(parts[1]), int(parts[2]))] = value[:10]
        try:
            changed = services.marks_save(cohort=cohort, actor=request.user, cells=typed)
        except errors.MarkError as error:
            cell_errors = error.errors
            messages.error(request, str(error))
        else:
            messages.success(request, _("%(count)s marks saved.") % {"count": changed})
            return redirect("cohorts:marks", pk=cohort.pk)
    modules = list(cohort.curriculum.modules.all())
    results = {(r.enrollment_id, r.module_id): r for r in ModuleResult.objects.filter(enrollment__cohort=cohort)}
    enrollments = sorted(
        cohort.enrollments.select_related("applicant"),
        key=lambda e: (e.status != EnrollmentStatus.ACTIVE, e.applicant.name, e.pk),
    )
    rows = []
    for enrollment in enrollments:
        editable = enrollment.status == EnrollmentStatus.ACTIVE
        cells = []
        for module in modules:
            key = (enrollment.pk, module.pk)
            result = results.get(key)
            saved = services.mark_as_typed(result)
            cells.append(
                {
                    "module": module,
                    "name": _cell_name(*key),
                    # A locked row always shows what is saved, whatever a refused post said.
                    "value": typed.get(key, saved) if editable else saved,
                    "result": result,
                    "error": cell_errors.get(key),
                }
            )
        rows.append(
            {"enrollment": enrollment, "locked": "" if editable else enrollment.get_status_display(), "cells": cells}
        )
    editable_rows = [row for row in rows if not row["locked"]]
    return _cohort_page(
        request,
        "cohort_marks.html",
        cohort,
        _("Marking grid"),
        modules=modules,
        rows=editable_rows,
        locked_rows=rows[len(editable_rows) :],
        error_count=len(cell_errors),
    )


@require_http_methods(["GET"])
def cohort_mark_history(request: HttpRequest, pk: int, enrollment_pk: int, module_pk: int) -> HttpResponse:
    """Show every change of one cell of the grid: what it became, who changed it and when."""
    cohort = _get_cohort_for_user(request, pk)
    enrollment = get_object_or_404(cohort.enrollments.select_related("applicant"), pk=enrollment_pk)
    module = get_object_or_404(cohort.curriculum.modules, pk=module_pk)
    changes = ModuleResultChange.objects.filter(enrollment=enrollment, module=module).select_related("changed_by")
    return _cohort_page(
        request,
        "cohort_mark_history.html",
        cohort,
        _("Mark history"),
        enrollment=enrollment,
        module=module,
        changes=changes,
    )


@require_http_methods(["GET", "POST"])
def cohort_attendance(request: HttpRequest, pk: int, day: str | None = None) -> HttpResponse:
    """Take the morning meeting's attendance: everyone present by default, one tap per exception.

    Only the days that can be saved are offered: meeting days of the cohort up to today.
    The sheet lists the trainees in training; on a past day, those who have since
    graduated or left show what was recorded for them, read-only.
    """
    cohort = _get_cohort_for_user(request, pk)
    today = timezone.localdate()
    days = services.meeting_days(cohort)
    open_days = [meeting for meeting in days if meeting <= today]
    title = _("Morning meeting attendance")
    if day is None:
        if open_days:
            return redirect("cohorts:attendance_day", pk=cohort.pk, day=open_days[-1].isoformat())
        return _cohort_page(
            request, "cohort_attendance.html", cohort, title, day=None, first_day=days[0] if days else None
        )
    try:
        chosen = date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    if chosen not in days:
        raise Http404
    if chosen > today:
        messages.info(
            request,
            _("The attendance of %(day)s can be taken from that day on.")
            % {"day": date_format(chosen, "MONTH_DAY_FORMAT")},
        )
        return redirect("cohorts:attendance", pk=cohort.pk)
    enrollments = list(cohort.enrollments.select_related("applicant").order_by("applicant__name", "pk"))
    active = [enrollment for enrollment in enrollments if enrollment.status == EnrollmentStatus.ACTIVE]
    recorded = {
        row.enrollment_id: row.status for row in Attendance.objects.filter(enrollment__cohort=cohort, day=chosen)
    }
    others = [
        (enrollment, recorded[enrollment.pk], enrollment.get_status_display())
        for enrollment in enrollments
        if enrollment.status != EnrollmentStatus.ACTIVE and enrollment.pk in recorded
    ]
    is_recorded = any(enrollment.pk in recorded for enrollment in active)
    reason = ""
    if request.method == "POST":
        if not request.user.has_perm("curriculum.mark_cohort"):
            raise PermissionDenied
        # Every posted row goes to the service, which refuses anyone not on the sheet by name.
        exceptions = {
            int(name[2:]): status
            for name, status in request.POST.items()
            if name.startswith("a-") and name[2:].isdigit() and status != AttendanceStatus.PRESENT
        }
        reason = request.POST.get("reason", "")[:200]
        try:
            changed = services.attendance_save(
                cohort=cohort, day=chosen, actor=request.user, exceptions=exceptions, reason=reason
            )
        except errors.TrainingError as error:
            messages.error(request, str(error))
            recorded = {e.pk: request.POST.get(f"a-{e.pk}", AttendanceStatus.PRESENT) for e in active}
        else:
            messages.success(request, _("Attendance saved (%(count)s changed).") % {"count": changed})
            return redirect("cohorts:attendance_day", pk=cohort.pk, day=chosen.isoformat())
    position = open_days.index(chosen)
    return _cohort_page(
        request,
        "cohort_attendance.html",
        cohort,
        title,
        day=chosen,
        is_past=chosen < today,
        is_recorded=is_recorded,
        previous_day=open_days[position - 1] if position else None,
        next_day=open_days[position + 1] if position + 1 < len(open_days) else None,
        rows=[(e, recorded.get(e.pk, AttendanceStatus.PRESENT)) for e in active],
        others=others,
        statuses=AttendanceStatus.choices,
        reason=reason,
    )


@require_http_methods(["GET", "POST"])
def cohort_graduation(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the graduation gate: for each trainee, what is still missing; HR graduates the eligible."""
    cohort = _get_cohort_for_user(request, pk)
    if request.method == "POST":
        if not request.user.has_perm("curriculum.change_cohort"):
            raise PermissionDenied
        enrollment_pk = request.POST.get("enrollment", "")
        try:
            if enrollment_pk.isdigit():
                enrollment = get_object_or_404(cohort.enrollments, pk=int(enrollment_pk))
                services.enrollment_graduate(enrollment=enrollment, actor=request.user)
                messages.success(request, _("%(name)s graduated.") % {"name": enrollment.applicant.name})
            else:
                count = services.cohort_graduate_eligible(cohort=cohort, actor=request.user)
                messages.success(request, _("%(count)s trainees graduated.") % {"count": count})
        except errors.TrainingError as error:
            messages.error(request, str(error))
        return redirect("cohorts:graduation", pk=cohort.pk)
    _modules, trainees = cohort_progress(cohort, today=timezone.localdate())
    graduates = sum(1 for trainee in trainees if trainee.enrollment.status == EnrollmentStatus.GRADUATED)
    return _cohort_page(
        request,
        "cohort_graduation.html",
        cohort,
        _("Graduation"),
        trainees=trainees,
        eligible=sum(1 for trainee in trainees if trainee.may_graduate),
        graduates=graduates,
        can_issue=request.user.has_perm("curriculum.issue_certificate"),
        can_graduate_early=services.may_graduate_early(request.user),
        last_batch=cohort.certificate_batches.first(),
    )


@require_http_methods(["GET", "POST"])
def enrollment_graduate_early(request: HttpRequest, pk: int, enrollment_pk: int) -> HttpResponse:
    """Ask HR to confirm an early graduation with its reason, then record the decision."""
    cohort = _get_cohort_for_user(request, pk)
    if not services.may_graduate_early(request.user):
        raise PermissionDenied
    enrollment = get_object_or_404(cohort.enrollments.select_related("applicant"), pk=enrollment_pk)
    reason, error = "", None
    if request.method == "POST":
        reason = request.POST.get("reason", "")[:200]
        try:
            services.enrollment_graduate_early(enrollment=enrollment, actor=request.user, reason=reason)
        except errors.TrainingError as refused:
            # A reason missing or refused is asked for again here, beside the reason typed.
            if reason.strip() and not text_refusal(reason):
                messages.error(request, str(refused))
                return redirect("cohorts:graduation", pk=cohort.pk)
            error = str(refused)
        else:
            messages.success(request, _("%(name)s graduated early.") % {"name": enrollment.applicant.name})
            return redirect("cohorts:trainee", pk=cohort.pk, enrollment_pk=enrollment.pk)
    if enrollment.status != EnrollmentStatus.ACTIVE:
        messages.error(request, _("Only a trainee in training can graduate."))
        return redirect("cohorts:trainee", pk=cohort.pk, enrollment_pk=enrollment.pk)
    return _cohort_page(
        request,
        "enrollment_graduate_early.html",
        cohort,
        _("Graduate %(name)s early") % {"name": enrollment.applicant.name},
        enrollment=enrollment,
        reason=reason,
        error=error,
    )


@require_http_methods(["GET", "POST"])
def cohort_trainee(request: HttpRequest, pk: int, enrollment_pk: int) -> HttpResponse:
    """Edit a trainee's milestones (the licensing exam, registration training hours, registration); show the history."""
    cohort = _get_cohort_for_user(request, pk)
    enrollment = get_object_or_404(cohort.enrollments.select_related("applicant", "graduated_by"), pk=enrollment_pk)
    can_edit = request.user.has_perm("curriculum.mark_cohort") or request.user.has_perm("curriculum.change_cohort")
    form = MilestoneForm(request.POST or None, enrollment=enrollment)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.enrollment_milestones_update(enrollment=enrollment, actor=request.user, **form.cleaned_data)
            except errors.MilestoneError as refused:
                form.add_error(refused.field, str(refused))
            else:
                messages.success(
                    request, _("The milestones of %(name)s were saved.") % {"name": enrollment.applicant.name}
                )
                return redirect("cohorts:dashboard", pk=cohort.pk)
    return _cohort_page(
        request,
        "cohort_trainee.html",
        cohort,
        enrollment.applicant.name,
        enrollment=enrollment,
        form=form,
        can_edit=can_edit,
        certificates=enrollment.certificates.select_related("replaces", "revoked_by")
        .prefetch_related(Prefetch("events", queryset=CertificateEvent.objects.select_related("actor")))
        .order_by("-created_at"),
        has_valid_certificate=enrollment.certificates.filter(status=CertificateStatus.VALID).exists(),
        can_issue=request.user.has_perm("curriculum.issue_certificate"),
        events=enrollment.events.select_related("actor"),
    )


def _certificate_for_user(request: HttpRequest, cohort_pk: int, certificate_pk: int) -> Certificate:
    cohort = _get_cohort_for_user(request, cohort_pk)
    visible = Certificate.objects.filter(enrollment__cohort=cohort).select_related("enrollment__cohort__branch")
    return get_object_or_404(visible, pk=certificate_pk)


@require_POST
@permission_required("curriculum.issue_certificate", raise_exception=True)
def certificate_issue(request: HttpRequest, pk: int, enrollment_pk: int) -> HttpResponse:
    """Issue the completion certificate of one graduate."""
    cohort = _get_cohort_for_user(request, pk)
    enrollment = get_object_or_404(cohort.enrollments, pk=enrollment_pk)
    try:
        certificate = certificates.certificate_issue(enrollment=enrollment, actor=request.user)
    except errors.TrainingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Certificate %(number)s issued.") % {"number": certificate.number})
    return redirect("cohorts:trainee", pk=cohort.pk, enrollment_pk=enrollment.pk)


@require_http_methods(["GET", "POST"])
@permission_required("curriculum.issue_certificate", raise_exception=True)
def certificate_change(request: HttpRequest, pk: int, certificate_pk: int, action: str) -> HttpResponse:
    """Ask to confirm revoking a certificate, or reissuing it under a new number, with the reason; then do it."""
    certificate = _certificate_for_user(request, pk, certificate_pk)
    if action not in ("revoke", "reissue"):
        raise Http404
    reason, error = "", None
    if request.method == "POST":
        reason = request.POST.get("reason", "")[:200]
        try:
            if action == "revoke":
                result = certificates.certificate_revoke(certificate=certificate, actor=request.user, reason=reason)
            else:
                result = certificates.certificate_reissue(certificate=certificate, actor=request.user, reason=reason)
        except errors.TrainingError as refused:
            # A reason missing or refused is asked for again here, beside the reason typed.
            if reason.strip() and not text_refusal(reason):
                messages.error(request, str(refused))
                return redirect("cohorts:trainee", pk=pk, enrollment_pk=certificate.enrollment_id)
            error = str(refused)
        else:
            messages.success(
                request,
                _("Done: %(number)s is now %(status)s.")
                % {"number": result.number, "status": result.get_status_display()},
            )
            return redirect("cohorts:trainee", pk=pk, enrollment_pk=certificate.enrollment_id)
    if certificate.status != CertificateStatus.VALID:
        return redirect("cohorts:trainee", pk=pk, enrollment_pk=certificate.enrollment_id)
    title = _("Revoke certificate %(number)s") if action == "revoke" else _("Reissue certificate %(number)s")
    return _cohort_page(
        request,
        "certificate_change.html",
        certificate.enrollment.cohort,
        title % {"number": certificate.number},
        certificate=certificate,
        action=action,
        reason=reason,
        error=error,
        events=certificate.events.select_related("actor"),
    )


@require_http_methods(["GET"])
def certificate_pdf(request: HttpRequest, pk: int, certificate_pk: int) -> HttpResponse:
    """Open a certificate's PDF (staff who may see the cohort)."""
    certificate = _certificate_for_user(request, pk, certificate_pk)
    if not certificate.pdf:
        raise Http404
    return private_pdf_response(
        certificate.pdf, filename=f"{certificate.year}-{certificate.serial:04d}.pdf", as_attachment=False
    )


@require_POST
@permission_required("curriculum.issue_certificate", raise_exception=True)
def certificate_batch_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the certificates of every graduate of the cohort who has none, and show the progress."""
    cohort = _get_cohort_for_user(request, pk)
    batch = certificates.certificate_batch_start(cohort=cohort, actor=request.user)
    return redirect("cohorts:certificate_batch", pk=cohort.pk, batch_pk=batch.pk)


@require_http_methods(["GET"])
def certificate_batch(request: HttpRequest, pk: int, batch_pk: int) -> HttpResponse:
    """Show how far the worker has come with a batch of certificates; the page refreshes itself."""
    cohort = _get_cohort_for_user(request, pk)
    batch = get_object_or_404(cohort.certificate_batches, pk=batch_pk)
    return _cohort_page(request, "certificate_batch.html", cohort, _("Issuing certificates"), batch=batch)
