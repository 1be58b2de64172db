"""Releasing graduates into the assignment pool (DESIGN §4, assignments)."""

import logging
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assignments.errors import PoolError
from assignments.models import PoolMember
from curriculum.models import Cohort, Enrollment, EnrollmentStatus

logger = logging.getLogger(__name__)


def pool_release(*, enrollment: Enrollment, actor=None) -> tuple[PoolMember, bool]:
    """Release a graduate into their branch's pool; return (member, created). Releasing twice is harmless.

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
        logger.info("Pool: enrollment %s released by %s", enrollment.pk, actor or "the daily release")
    return member, created


def cohort_release(*, cohort: Cohort, actor=None) -> int:
    """Release every graduate of the cohort not yet in the pool; return how many joined it now."""
    released = 0
    graduates = cohort.enrollments.filter(status=EnrollmentStatus.GRADUATED, pool_member__isnull=True)
    for enrollment in graduates.select_related("cohort"):
        _member, created = pool_release(enrollment=enrollment, actor=actor)
        released += created
    return released


def pool_release_due(*, today: date | None = None) -> int:
    """Release the graduates of every cohort whose month 4 has begun; run daily by a django-q2 schedule."""
    today = today or timezone.localdate()
    released = 0
    for cohort in Cohort.objects.filter(enrollments__status=EnrollmentStatus.GRADUATED).distinct():
        if cohort.field_starts_on <= today:
            released += cohort_release(cohort=cohort)
    logger.info("Pool: released %d graduates", released)
    return released
