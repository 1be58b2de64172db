"""Every write of curriculum that changes a status, touches several rows or has a side effect (DESIGN §3)."""

from django.db import transaction
from django.utils.translation import gettext as _

from curriculum.defaults import DEFAULT_CURRICULUM_DESCRIPTION, DEFAULT_CURRICULUM_NAME, DEFAULT_MODULES
from curriculum.models import Assessment, Cohort, CohortStatus, Curriculum, Enrollment, EnrollmentStatus, Module
from recruiting.models import Applicant, ApplicantStatus
from recruiting.services import ApplicationError, applicant_enrol


class TrainingError(Exception):
    """A request the training rules do not allow; the message is for the person who asked."""


def curriculum_install_default() -> bool:
    """Install the default CS RC curriculum unless one of that name exists; return whether it was created.

    Once installed it is data: editors may rename, reorder or change modules, and a
    second run leaves their work alone.
    """
    with transaction.atomic():
        curriculum, created = Curriculum.objects.get_or_create(
            name=DEFAULT_CURRICULUM_NAME, defaults={"weeks": 13, "description": DEFAULT_CURRICULUM_DESCRIPTION}
        )
        if created:
            Module.objects.bulk_create(
                Module(
                    curriculum=curriculum,
                    sort_order=order,
                    title=title,
                    area=area,
                    week_start=week_start,
                    week_end=week_end,
                    assessment=Assessment.COMPLETION if pass_mark is None else Assessment.SCORE,
                    pass_mark=pass_mark,
                    is_required=required,
                )
                for order, (title, area, week_start, week_end, pass_mark, required) in enumerate(DEFAULT_MODULES)
            )
    return created


def enrollment_enrol(*, cohort: Cohort, applicant: Applicant, actor) -> Enrollment:
    """Enrol an accepted applicant of the cohort's round and branch into the cohort (입과).

    The cohort's row lock makes concurrent enrolments wait for each other, so its seats
    are never exceeded; the applicant's own transition refuses anyone not accepted, and
    a constraint keeps a person in one active cohort.
    """
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
        if cohort.status == CohortStatus.COMPLETED:
            raise TrainingError(_("This cohort has finished its training."))
        if applicant.round_id != cohort.round_id or applicant.preferred_branch_id != cohort.branch_id:
            raise TrainingError(_("Only accepted applicants of this cohort's round and branch can join it."))
        if Enrollment.objects.filter(applicant=applicant, status=EnrollmentStatus.ACTIVE).exists():
            raise TrainingError(_("%(name)s is already in training in another cohort.") % {"name": applicant.name})
        if cohort.enrollments.exclude(status=EnrollmentStatus.LEFT).count() >= cohort.capacity:
            raise TrainingError(_("The cohort is full."))
        try:
            applicant_enrol(applicant=applicant, actor=actor, note=str(cohort))
        except ApplicationError as error:
            raise TrainingError(str(error)) from error
        return Enrollment.objects.create(cohort=cohort, applicant=applicant)


def cohort_enrol_accepted(*, cohort: Cohort, actor) -> tuple[int, list[str]]:
    """Enrol every accepted applicant of the cohort's round and branch.

    Returns how many joined, and for each who could not, why.
    """
    waiting = Applicant.objects.filter(
        round_id=cohort.round_id, preferred_branch_id=cohort.branch_id, status=ApplicantStatus.ACCEPTED
    ).order_by("created_at")
    joined, problems = 0, []
    for applicant in waiting:
        try:
            enrollment_enrol(cohort=cohort, applicant=applicant, actor=actor)
        except TrainingError as error:
            problems.append(f"{applicant.name}: {error}")
        else:
            joined += 1
    return joined, problems
