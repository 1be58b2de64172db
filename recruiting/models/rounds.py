"""Recruitment rounds: the periods in which applications are taken for one cohort start."""

from datetime import date

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.validators import reject_rrn
from recruiting.models.places import Branch


class RoundQuerySet(models.QuerySet):
    def open(self, today: date | None = None) -> "RoundQuerySet":
        """Return the rounds taking applications on `today` (Seoul time)."""
        today = today or timezone.localdate()
        return self.filter(is_closed=False, opens_on__lte=today, closes_on__gte=today)


class RecruitmentRound(models.Model):
    """A recruitment round (모집): a period in which applications feed one cohort start."""

    title = models.CharField(
        _("title"), max_length=100, help_text=_("e.g. 2027년 1월 입과 CS RC 모집"), validators=[reject_rrn]
    )
    branches = models.ManyToManyField(
        Branch,
        verbose_name=_("branches"),
        related_name="rounds",
        blank=True,
        help_text=_("The branches recruiting in this round; none means all branches"),
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    cohort_starts_on = models.DateField(_("cohort starts on"), help_text=_("The start of the training it feeds"))
    capacity = models.PositiveIntegerField(_("capacity"), help_text=_("How many people the round means to accept"))
    is_closed = models.BooleanField(
        _("closed early"), default=False, help_text=_("A closed round takes no applications, whatever its dates")
    )

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "title"]
        verbose_name = _("recruitment round")
        verbose_name_plural = _("recruitment rounds")
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="round_closes_after_it_opens"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return not self.is_closed and self.opens_on <= today <= self.closes_on
