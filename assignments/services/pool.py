"""The pool's writes: releasing graduates into it, and each member's moves between active, on leave and left.

Every status change goes through `core.states` (DESIGN §3): the release writes the member's
first history row, and each move locks the row, checks `POOL_MEMBER_TRANSITIONS`, saves and
writes one `PoolMemberEvent` with its actor and reason.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assignments.errors import PoolError
from assignments.models import ConsultantAttendanceChange, PoolMember, PoolMemberEvent, PoolMemberStatus, RunTrigger
from assignments.services.runs import assignment_run_start
from core.roles import Role
from core.states import state_change, state_start
from core.validators import text_refusal
from curriculum.models import Cohort, Enrollment, EnrollmentStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

REASON_MAX_LENGTH = PoolMemberEvent._meta.get_field("reason").max_length


def pool_member_release(*, enrollment: Enrollment, actor: User | None = None) -> tuple[PoolMember, bool]:
    """Release one graduate into their branch's pool; return (member, created). Releasing twice is harmless.

    `actor` is the HR user who released them by hand, or None for the daily release.
    """
    with transaction.atomic():
        # Read the status under a lock: a caller's copy may be stale, and release follows graduation only.
        enrollment = Enrollment.objects.select_for_update().select_related("cohort").get(pk=enrollment.pk)
        if enrollment.status != EnrollmentStatus.GRADUATED:
            raise PoolError(_("Only a graduate can be released into the pool."))
        member, created = PoolMember.objects.get_or_create(
            enrollment=enrollment,
            defaults={"branch_id": enrollment.cohort.branch_id, "released_at": timezone.now(), "released_by": actor},
        )
        if created:
            state_start(member, actor=actor)
            _consultant_login_create(member)
    if created:
        logger.info("Pool: enrollment %s released by %s", enrollment.pk, actor or "the daily release")
    return member, created


def _consultant_login_create(member: PoolMember) -> None:
    """Give a member just released her login to the workspace, once; the caller holds the transaction.

    The username is her mobile number, which she knows and types on her phone; a number
    already taken by another login (an earlier application of hers) gives a generated one.
    The password is unusable: she sets her own through the emailed link of the workspace's
    "set my password" page (docs/decisions.md, "The consultant's day").
    """
    applicant = member.enrollment.applicant
    users = get_user_model().objects
    username = applicant.mobile
    if not username or users.filter(username=username).exists():
        username = f"consultant-{member.pk}"
    user = users.create_user(username=username, email=applicant.email, first_name=applicant.name, password=None)
    # The group exists once `manage.py setup` ran; before that, setup grants it its permission later.
    group, _created = Group.objects.get_or_create(name=Role.CONSULTANT)
    user.groups.add(group)
    member.user = user
    member.save(update_fields=["user"])


def cohort_release_to_pool(*, cohort: Cohort, actor: User | None = None) -> int:
    """Release every graduate of the cohort not yet in the pool; return how many joined it now."""
    released = 0
    graduates = cohort.enrollments.filter(status=EnrollmentStatus.GRADUATED, pool_member__isnull=True)
    for enrollment in graduates.select_related("cohort"):
        _member, created = pool_member_release(enrollment=enrollment, actor=actor)
        released += created
    return released


def pool_release_due(*, today: date | None = None) -> int:
    """Release the graduates of every cohort whose month 4 has begun; run daily by a django-q2 schedule."""
    today = today or timezone.localdate()
    released = 0
    for cohort in Cohort.objects.filter(enrollments__status=EnrollmentStatus.GRADUATED).distinct():
        if cohort.field_starts_on <= today:
            released += cohort_release_to_pool(cohort=cohort)
    logger.info("Pool: released %d graduates", released)
    return released


def _checked_reason(reason: str, *, required: bool) -> str:
    """Return the reason trimmed, or refuse one that is missing, too long, or holds text that may not be saved."""
    reason = reason.strip()
    if required and not reason:
        raise PoolError(_("Give the reason; nothing was changed."))
    if len(reason) > REASON_MAX_LENGTH:
        raise PoolError(
            _("Keep the reason to %(limit)d characters; nothing was changed.") % {"limit": REASON_MAX_LENGTH}
        )
    if refusal := text_refusal(reason):
        raise PoolError(refusal)
    return reason


def pool_member_take_leave(
    *, member: PoolMember, actor: User, reason: str, expected: str | None = None
) -> PoolMemberEvent:
    """Put an active member on leave (휴직): she receives no customers until she returns.

    `expected` is the status the person acting saw; a member someone else moved meanwhile is refused.
    """
    reason = _checked_reason(reason, required=True)
    with transaction.atomic():
        _member, event = state_change(
            member, to=PoolMemberStatus.ON_LEAVE, actor=actor, expected=expected, reason=reason
        )
        _replan_her_customers(member)
    return event


def pool_member_return(
    *, member: PoolMember, actor: User, reason: str = "", expected: str | None = None
) -> PoolMemberEvent:
    """Bring a member on leave back to active, so that she may receive customers again."""
    reason = _checked_reason(reason, required=False)
    _member, event = state_change(member, to=PoolMemberStatus.ACTIVE, actor=actor, expected=expected, reason=reason)
    return event


def pool_member_leave(*, member: PoolMember, actor: User, reason: str, expected: str | None = None) -> PoolMemberEvent:
    """Record that a member left (퇴사), from active or from leave; leaving is final."""
    reason = _checked_reason(reason, required=True)
    with transaction.atomic():
        locked, event = state_change(member, to=PoolMemberStatus.LEFT, actor=actor, expected=expected, reason=reason)
        # Her login ends with her work; a session she still holds stops at its next request,
        # since Django's authentication refuses an inactive user.
        if locked.user_id:
            get_user_model().objects.filter(pk=locked.user_id).update(is_active=False)
        _replan_her_customers(member)
    return event


def _replan_her_customers(member: PoolMember) -> None:
    """Queue a plan of her branch once she is away, so her customers get a new consultant with
    the fewest moves; a person reviews and approves it like any plan."""
    if member.customers.in_book().exists():
        branch = member.branch
        transaction.on_commit(
            lambda: assignment_run_start(actor=None, branch=branch, trigger=RunTrigger.CONSULTANT_AWAY)
        )


def pool_member_anonymise(*, member: PoolMember) -> None:
    """Empty a member's pool history and her morning meetings' changes of the reasons and notes written about
    her, and her login of what names her; the caller holds her lock.

    The moves and their dates stay, so the pool's counts stay true; assignments.retention
    decides when a member is due.
    """
    member.events.filter(~Q(reason="") | ~Q(note="")).update(reason="", note="")
    ConsultantAttendanceChange.objects.filter(attendance__member=member).exclude(reason="").update(reason="")
    # Her login named her (her mobile, email and name). It stays, inactive and nameless, as
    # every destroyed record here stays in place, so nothing that points to it breaks.
    if member.user_id:
        get_user_model().objects.filter(pk=member.user_id).update(
            username=f"consultant-{member.pk}",
            email="",
            first_name="",
            last_name="",
            is_active=False,
            password=make_password(None),
        )
