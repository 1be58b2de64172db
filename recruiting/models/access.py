"""The access log: who looked at or exported applicant data, when and why."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.validators import reject_rrn
from recruiting.models.applicants import Applicant


class ExportReason(models.TextChoices):
    SCHEDULING = "scheduling", _("Arranging consultations or interviews")
    COHORT_PLANNING = "cohort_planning", _("Planning a training cohort")
    REPORTING = "reporting", _("Reporting to management")
    DATA_REQUEST = "data_request", _("An applicant's request or an audit")
    OTHER = "other", _("Other (explained in the note)")


class AccessRecord(models.Model):
    """Who looked at or exported applicant data, when and why (DESIGN §2).

    It holds no personal data of applicants: an id for a detail view, the filters and
    row count for an export (never the search words, which may be a name or a number).
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed an applicant")
        EXPORT = "export", _("Exported a list")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("user")
    )
    username = models.CharField(_("username"), max_length=150, help_text=_("Kept if the login is deleted"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    applicant = models.ForeignKey(
        Applicant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("applicant")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ExportReason.choices, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True, validators=[reject_rrn])
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("access record")
        verbose_name_plural = _("access records")

    def __str__(self) -> str:
        return f"{self.username} {self.get_action_display()} {self.created_at:%Y-%m-%d %H:%M}"
