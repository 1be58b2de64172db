"""Where each trainee of a cohort stands: progress, attendance, risks, and what graduation still needs.

Everything is read in a fixed number of queries, whatever the size of the cohort.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from curriculum.models import (
    ATTENDED,
    REQUIRED_REGISTRATION_HOURS,
    Attendance,
    Cohort,
    Enrollment,
    EnrollmentStatus,
    Module,
    ModuleResult,
    ResultStatus,
)


@dataclass
class TraineeProgress:
    enrollment: Enrollment
    results: dict[int, ModuleResult]
    required_passed: int
    required_total: int
    meetings: int
    attended: int
    at_risk: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    # What the gate still asks besides the cohort's last day, which only HR may waive (early graduation).
    missing_besides_the_date: list[str] = field(default_factory=list)

    @property
    def attendance_rate(self) -> Decimal | None:
        """Return the share of recorded meetings attended (present or late), in percent."""
        if not self.meetings:
            return None
        return (Decimal(100) * self.attended / self.meetings).quantize(Decimal("0.1"))

    @property
    def progress(self) -> int:
        """Return the share of required modules passed, in whole percent."""
        return round(100 * self.required_passed / self.required_total) if self.required_total else 100

    def status_of(self, module: Module) -> str | None:
        """Return the module's result (passed or failed), or None while it is unmarked."""
        result = self.results.get(module.pk)
        return result.status if result else None

    @property
    def may_graduate(self) -> bool:
        return self.enrollment.status == EnrollmentStatus.ACTIVE and not self.missing

    @property
    def may_graduate_early(self) -> bool:
        """Return whether only the cohort's last day stands between the trainee and graduation."""
        return (
            self.enrollment.status == EnrollmentStatus.ACTIVE
            and bool(self.missing)
            and not self.missing_besides_the_date
        )


def module_due(cohort: Cohort, module: Module) -> date:
    """Return the last day of the module's week span."""
    return cohort.starts_on + timedelta(weeks=module.week_end) - timedelta(days=1)


def cohort_progress(cohort: Cohort, *, today: date) -> tuple[list[Module], list[TraineeProgress]]:
    """Return the cohort's modules and one TraineeProgress per trainee (active or graduated), in five queries."""
    threshold = Decimal(settings.GRADUATION_ATTENDANCE_PERCENT)
    modules = list(cohort.curriculum.modules.all())
    required = [module for module in modules if module.is_required]
    enrollments = list(
        cohort.enrollments.exclude(status=EnrollmentStatus.LEFT).select_related("applicant").order_by("applicant__name")
    )
    results: dict[int, dict[int, ModuleResult]] = {enrollment.pk: {} for enrollment in enrollments}
    for result in ModuleResult.objects.filter(enrollment__cohort=cohort):
        results.setdefault(result.enrollment_id, {})[result.module_id] = result
    attendance = {
        row["enrollment"]: row
        for row in Attendance.objects.filter(enrollment__cohort=cohort)
        .values("enrollment")
        .annotate(meetings=Count("pk"), attended=Count("pk", filter=Q(status__in=ATTENDED)))
    }
    report = []
    for enrollment in enrollments:
        own = results.get(enrollment.pk, {})
        counts = attendance.get(enrollment.pk, {"meetings": 0, "attended": 0})
        trainee = TraineeProgress(
            enrollment=enrollment,
            results=own,
            required_passed=sum(1 for m in required if m.pk in own and own[m.pk].status == ResultStatus.PASSED),
            required_total=len(required),
            meetings=counts["meetings"],
            attended=counts["attended"],
        )
        _explain(trainee, cohort=cohort, modules=modules, required=required, threshold=threshold, today=today)
        report.append(trainee)
    return modules, report


def _explain(
    trainee: TraineeProgress, *, cohort: Cohort, modules: list[Module], required, threshold: Decimal, today: date
) -> None:
    """Fill in the trainee's risks (for trainers) and what graduation still needs (for HR)."""
    rate = trainee.attendance_rate
    failed = [
        m.title for m in modules if m.pk in trainee.results and trainee.results[m.pk].status == ResultStatus.FAILED
    ]
    overdue = [m.title for m in modules if m.pk not in trainee.results and module_due(cohort, m) < today]
    if rate is not None and rate < threshold:
        trainee.at_risk.append(
            _("Attendance %(rate)s%% is under %(threshold)s%%") % {"rate": rate, "threshold": threshold}
        )
    if failed:
        trainee.at_risk.append(_("Failed: %(modules)s") % {"modules": ", ".join(failed)})
    if overdue:
        trainee.at_risk.append(_("Overdue: %(modules)s") % {"modules": ", ".join(overdue)})

    missing = trainee.missing_besides_the_date
    not_passed = [
        m.title
        for m in required
        if not (m.pk in trainee.results and trainee.results[m.pk].status == ResultStatus.PASSED)
    ]
    if not_passed:
        missing.append(_("Required modules not passed: %(modules)s") % {"modules": ", ".join(not_passed)})
    if rate is None:
        missing.append(_("No attendance recorded yet"))
    elif rate < threshold:
        missing.append(_("Attendance %(rate)s%%, needs %(threshold)s%%") % {"rate": rate, "threshold": threshold})
    enrollment = trainee.enrollment
    if not enrollment.exam_passed:
        recorded = enrollment.exam_date is not None or enrollment.exam_score is not None
        missing.append(_("Licensing exam failed") if recorded else _("No licensing exam result recorded"))
    if not enrollment.registration_hours_complete:
        missing.append(
            _("Registration training %(hours)s of %(required)s hours")
            % {"hours": enrollment.registration_hours, "required": REQUIRED_REGISTRATION_HOURS}
        )
    trainee.missing = list(missing)
    if today < cohort.ends_on:
        trainee.missing.append(
            _("Before the cohort ends (last day %(date)s)") % {"date": date_format(cohort.ends_on, "DATE_FORMAT")}
        )
