"""Applicants made and moved through the services, and staff logins with a role and a branch."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from core.roles import Role
from recruiting import services
from recruiting.models import (
    Applicant,
    Branch,
    ConsentNotice,
    District,
    Province,
    RecruitmentRound,
    Slot,
    SlotKind,
    StaffProfile,
)
from recruiting.pipeline import ApplicantStatus
from recruiting.services import applicant_submit


def make_applicant(
    round: RecruitmentRound, *, mobile: str = "01012345678", email: str = "seoyeon@example.com", name: str = "이서연"
) -> Applicant:
    district = District.objects.select_related("branch").get(province=Province.SEOUL, name="강서구")
    applicant, _created = applicant_submit(
        round=round,
        name=name,
        mobile=mobile,
        email=email,
        birth_year=1986,
        district=district,
        preferred_branch=district.branch,
        source="referral",
        consents={notice: True for notice in ConsentNotice.objects.all()},
    )
    return applicant


def make_staff(username: str, role: Role, branch: Branch | None = None):
    user = get_user_model().objects.create_user(username=username, password="x")
    user.groups.add(Group.objects.get(name=role))
    if branch is not None:
        StaffProfile.objects.create(user=user, branch=branch)
    return user


def make_slot(branch: Branch, *, kind: str = SlotKind.CONSULTATION, days: int = 2, capacity: int = 3) -> Slot:
    starts_at = timezone.now() + timedelta(days=days)
    return Slot.objects.create(branch=branch, kind=kind, starts_at=starts_at, place="5층 상담실", capacity=capacity)


def walk_to(applicant: Applicant, status: str, *, actor=None) -> Applicant:
    """Move `applicant` from 접수 to `status` through the services, the way staff and the applicant would.

    The consultation on the way to a later stage took place: its slot is moved into the
    past, so it is history and not a seat.
    """
    applicant.refresh_from_db()
    if status == ApplicantStatus.SUBMITTED:
        return applicant
    if status in (ApplicantStatus.REJECTED, ApplicantStatus.WITHDRAWN, ApplicantStatus.LAPSED):
        if status == ApplicantStatus.REJECTED:
            return services.applicant_reject(applicant=applicant, actor=actor, reason="schedule")
        if status == ApplicantStatus.LAPSED:
            return services.applicant_lapse(applicant=applicant)
        return services.applicant_withdraw(applicant=applicant, actor=actor)
    slot = make_slot(applicant.preferred_branch)
    services.appointment_book(applicant=applicant, slot=slot, actor=actor)
    applicant.refresh_from_db()
    if status == ApplicantStatus.CONSULTATION_BOOKED:
        return applicant
    Slot.objects.filter(pk=slot.pk).update(starts_at=timezone.now() - timedelta(days=1))
    applicant = services.applicant_mark_consulted(applicant=applicant, actor=actor)
    for move in (services.applicant_invite_to_interview, services.applicant_accept, services.applicant_enroll):
        if applicant.status == status:
            break
        applicant = move(applicant=applicant, actor=actor)
    applicant.refresh_from_db()
    return applicant
