"""The pool of released graduates from which orphaned customers will be assigned, and its history."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assignments.errors import PoolError
from core.states import Lifecycle, StateEvent
from core.validators import reject_rrn
from curriculum.models import Enrollment, new_verification_code
from recruiting.models import Branch, in_staff_branch


class PoolMemberStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("pool member status", "Active")
    ON_LEAVE = "on_leave", pgettext_lazy("pool member status", "On leave")
    LEFT = "left", pgettext_lazy("pool member status", "Left")


# Leaving is final: the member's enrollment keeps its one pool membership, so a person who
# comes back after leaving is a matter for HR outside the pool, not a move back to active.
POOL_MEMBER_TRANSITIONS = {
    PoolMemberStatus.ACTIVE: {PoolMemberStatus.ON_LEAVE, PoolMemberStatus.LEFT},
    PoolMemberStatus.ON_LEAVE: {PoolMemberStatus.ACTIVE, PoolMemberStatus.LEFT},
    PoolMemberStatus.LEFT: set(),
}

# Only active consultants who completed registration with the association receive customers (DESIGN §4).
ASSIGNABLE = (
    Q(status=PoolMemberStatus.ACTIVE)
    & Q(enrollment__registered_on__isnull=False)
    & ~Q(enrollment__registration_number="")
)


class PoolMemberQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PoolMemberQuerySet":
        """Return the members `user` may see: every branch for HR, their own branch for branch staff."""
        return in_staff_branch(self, user)

    def assignable(self) -> "PoolMemberQuerySet":
        """Return the members who may receive customers: active and registered with the association."""
        return self.filter(ASSIGNABLE)

    def current(self) -> "PoolMemberQuerySet":
        """Return the members who have not left: the active ones and those on leave."""
        return self.exclude(status=PoolMemberStatus.LEFT)


class PoolMember(models.Model):
    """A graduate released into the pool of a branch, with how many customers they can take."""

    enrollment = models.OneToOneField(Enrollment, on_delete=models.PROTECT, related_name="pool_member")
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="pool")
    status = models.CharField(
        pgettext_lazy("pool member", "status"),
        max_length=20,
        choices=PoolMemberStatus.choices,
        default=PoolMemberStatus.ACTIVE,
    )
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
    # Her login to her workspace (/my/), created when she is released and deactivated when she
    # leaves (assignments.services.pool); the workspace finds her through it.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pool_member",
    )

    # The code of her public page that confirms she is real (/consultants/verify/<code>/), which
    # the notice to each of her customers links to: random, as the certificates' codes.
    verification_code = models.CharField(max_length=16, unique=True, default=new_verification_code, editable=False)

    objects = PoolMemberQuerySet.as_manager()
    lifecycle = Lifecycle(
        transitions=POOL_MEMBER_TRANSITIONS,
        history="events",
        error=PoolError,
        illegal_message=_("This consultant is %(status)s and cannot become %(new)s."),
    )

    class Meta:
        ordering = ["branch", "enrollment__applicant__name"]
        verbose_name = _("pool member")
        verbose_name_plural = _("pool members")
        permissions = [("move_poolmember", "Can put pool members on leave, back to work, or out of the pool")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PoolMemberStatus.values), name="pool_member_status_known")
        ]

    def __str__(self) -> str:
        return self.enrollment.applicant.name

    @property
    def is_registered(self) -> bool:
        """Return whether registration with the association is complete (only then assignable)."""
        return bool(self.enrollment.registered_on and self.enrollment.registration_number)


class PoolMemberEvent(StateEvent):
    """One change of a pool member's status: released, on leave, back, or left, with who and why."""

    pool_member = models.ForeignKey(PoolMember, on_delete=models.CASCADE, related_name="events")
    # A pool move carries the words of the person who made it (why she takes leave, why she
    # left), not a code from a list, so the reason is free text like the project's other reasons.
    reason = models.CharField(_("reason"), max_length=200, blank=True, validators=[reject_rrn])

    class Meta(StateEvent.Meta):
        verbose_name = _("pool member event")
        verbose_name_plural = _("pool member events")
