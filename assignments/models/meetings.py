"""The working consultants' morning meeting (아침 조회) at their branch, taken on the trainers' sheet.

The rows have the shape of the trainees' (`curriculum.models.Attendance` and
`AttendanceChange`) and the same statuses: one per consultant per meeting day, and a change
row with its reason for every status changed after the day.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assignments.models.pool import PoolMember
from core.validators import reject_rrn
from curriculum.models import AttendanceStatus


class ConsultantAttendance(models.Model):
    """A working consultant at one morning meeting of her branch."""

    member = models.ForeignKey(
        PoolMember, verbose_name=_("consultant"), on_delete=models.CASCADE, related_name="attendance"
    )
    day = models.DateField(_("day"))
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["day", "member"]
        verbose_name = _("consultant attendance")
        verbose_name_plural = _("consultant attendance")
        permissions = [("take_consultantattendance", _("Can take the working consultants' morning meeting attendance"))]
        constraints = [
            models.UniqueConstraint(fields=["member", "day"], name="one_consultant_attendance_per_day"),
            models.CheckConstraint(
                condition=Q(status__in=AttendanceStatus.values), name="consultant_attendance_status_known"
            ),
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.get_status_display()}"


class ConsultantAttendanceChange(models.Model):
    """A change to a meeting day's attendance of a consultant after that day, with the reason it was needed."""

    attendance = models.ForeignKey(ConsultantAttendance, on_delete=models.CASCADE, related_name="changes")
    # Blank when the day is recorded for the first time after it passed.
    from_status = models.CharField(max_length=10, choices=AttendanceStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    reason = models.CharField(_("reason"), max_length=200, validators=[reject_rrn])
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"
