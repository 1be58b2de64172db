"""The pool of released graduates from which orphaned customers will be assigned."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from curriculum.models import Enrollment
from recruiting.models import Branch, in_staff_branch


class PoolMemberQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PoolMemberQuerySet":
        """Return the members `user` may see: every branch for HR, their own branch for branch staff."""
        return in_staff_branch(self, user)

    def assignable(self) -> "PoolMemberQuerySet":
        """Return the members who may receive customers: registered with the association."""
        return self.filter(enrollment__registered_on__isnull=False).exclude(enrollment__registration_number="")


class PoolMember(models.Model):
    """A graduate released into the pool of a branch, with how many customers they can take."""

    enrollment = models.OneToOneField(Enrollment, on_delete=models.PROTECT, related_name="pool_member")
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="pool")
    capacity = models.PositiveSmallIntegerField(
        _("customer capacity"),
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(500)],
        help_text=_("How many orphaned customers this consultant can take"),
    )
    released_at = models.DateTimeField(_("released at"))
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty when the daily release at the start of month 4 released them"),
    )

    objects = PoolMemberQuerySet.as_manager()

    class Meta:
        ordering = ["branch", "enrollment__applicant__name"]
        verbose_name = _("pool member")
        verbose_name_plural = _("pool members")

    def __str__(self) -> str:
        return self.enrollment.applicant.name

    @property
    def is_registered(self) -> bool:
        """Return whether registration with the association is complete (only then assignable)."""
        return bool(self.enrollment.registered_on and self.enrollment.registration_number)
