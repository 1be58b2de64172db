"""Load the demo on top of the real site (`cms.site_install`): stories, people, cohorts and one login per role.

Idempotent: what exists is reused and left as editors may have changed it; only what
is missing is created. Logins get the printed demo password on every run.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from assignments.book_generator import book_csv
from assignments.geography import sigungu_for_district
from assignments.models import BookImport, ContactKind, ContactOutcome, PoolMember
from assignments.services import (
    assignment_run_apply,
    assignment_run_apply_request,
    assignment_run_approve,
    assignment_run_plan,
    assignment_run_start,
    book_import_run,
    book_import_start,
    cohort_release_to_pool,
    contact_record,
)
from cms.demo import content
from cms.models import StoryIndexPage, StoryPage
from cms.site_content import branch_title
from cms.site_install import site_install
from core.roles import Role
from curriculum.certificates.services import certificate_issue, certificate_render
from curriculum.defaults import DEFAULT_CURRICULUM_NAME
from curriculum.models import Assessment, Cohort, Curriculum
from curriculum.progress import module_due
from curriculum.services import (
    attendance_save,
    cohort_graduate_eligible,
    cohort_record_new,
    enrollment_enroll,
    enrollment_milestones_update,
    marks_save,
    meeting_days,
)
from recruiting import services
from recruiting.models import (
    Applicant,
    Branch,
    ConsentNotice,
    District,
    RecruitmentRound,
    RejectionReason,
    Slot,
    SlotKind,
    Source,
    StaffProfile,
)

DEMO_PASSWORD = "csrc-demo-2026"
# The times every branch offers on weekdays: (hour, kind, seats).
DEMO_SLOT_TIMES = [(10, SlotKind.CONSULTATION, 3), (14, SlotKind.CONSULTATION, 3), (16, SlotKind.INTERVIEW, 2)]
DEMO_COHORT_NUMBER = 12
DEMO_GRADUATED_COHORT_NUMBER = 11
# The generated book of orphaned customers, nine in ten living around the demo branch.
DEMO_BOOK_CUSTOMERS = 150
DEMO_BOOK_SEED = 2026
DEMO_BOOK_FILE = "데모_고아계약_명부.csv"
DEMO_CONSULTANT_CAPACITY = 60
# The branch of the demo recruiter and branch manager.
DEMO_STAFF_BRANCH = "강서"
DEMO_LOGINS = [
    ("admin", "관리자", None),
    ("editor", "김편집", Role.EDITOR),
    ("recruiter", "박채용", Role.RECRUITER),
    ("manager", "오지점", Role.BRANCH_MANAGER),
    ("trainer", "정강사", Role.TRAINER),
    ("hr", "한인사", Role.HR),
]


def demo_consultant() -> PoolMember | None:
    """Return the demo consultant: the first graduate of the graduated cohort, who has customers."""
    return (
        PoolMember.objects.filter(enrollment__cohort__number=DEMO_GRADUATED_COHORT_NUMBER)
        .select_related("user")
        .order_by("enrollment__pk")
        .first()
    )


class DemoLoader:
    """Create what the demo is missing, through the same services staff and applicants use."""

    def load(self) -> None:
        with transaction.atomic():
            branches = self.seed_public_site()
            round_ = self._seed_round()
            self._seed_logins(branches)
            self._seed_slots(branches)
            self._seed_applicants(round_)
            self._seed_cohort(branches[DEMO_STAFF_BRANCH])
            self._seed_graduated_cohort(branches[DEMO_STAFF_BRANCH])
            self._seed_book(branches[DEMO_STAFF_BRANCH])
            self._seed_consultant_day()

    def seed_public_site(self) -> dict[str, Branch]:
        """Install the real site, then the demo's branch addresses and stories; return the branches by name."""
        site_install()
        self._seed_branch_addresses()
        branches = {branch.name: branch for branch in Branch.objects.all()}
        self._seed_stories(branches)
        return branches

    def _seed_branch_addresses(self) -> None:
        """Give the branches that have no address yet the demo's illustrative one."""
        for branch in Branch.objects.filter(slug__in=content.BRANCH_ADDRESSES, address=""):
            branch.address = content.BRANCH_ADDRESSES[branch.slug]
            branch.save(update_fields=["address"])

    def _seed_round(self) -> RecruitmentRound:
        """Create the demo round, open from two weeks before the demo was first loaded."""
        today = timezone.localdate()
        closes_on = today + timedelta(days=30)
        round_, _created = RecruitmentRound.objects.get_or_create(
            title=content.ROUND["title"],
            defaults={
                "opens_on": today - timedelta(days=14),
                "closes_on": closes_on,
                "cohort_starts_on": (closes_on.replace(day=1) + timedelta(days=32)).replace(day=1),
                "capacity": content.ROUND["capacity"],
            },
        )
        return round_

    def _seed_stories(self, branches: dict[str, Branch]) -> None:
        """Publish the demo's stories that are missing, and show the story index in the menu once it has them."""
        index = StoryIndexPage.objects.first()
        if index is None:
            return
        for data in content.STORIES:
            if StoryPage.objects.child_of(index).filter(slug=data["slug"]).exists():
                continue
            story = StoryPage(
                title=data["title"],
                slug=data["slug"],
                intro=data["intro"],
                body=data["body"],
                person_name=data["person_name"],
                role=data["role"],
                branch=branches.get(data["branch"]),
            )
            index.add_child(instance=story)
            story.save_revision().publish()
            if not index.show_in_menus:
                index.show_in_menus = True
                index.save_revision().publish()

    def _seed_slots(self, branches: dict[str, Branch]) -> None:
        """Publish two weeks of consultation and interview times at every branch that has none."""
        today = timezone.localdate()
        days = [today + timedelta(days=n) for n in range(1, 15) if (today + timedelta(days=n)).weekday() < 5]
        for branch in branches.values():
            if branch.slots.exists():
                continue
            place = f"{branch_title(branch.name)} 상담실"
            for day in days:
                for hour, kind, capacity in DEMO_SLOT_TIMES:
                    starts_at = timezone.make_aware(datetime.combine(day, time(hour)))
                    Slot.objects.create(branch=branch, kind=kind, starts_at=starts_at, place=place, capacity=capacity)

    def _seed_applicants(self, round_: RecruitmentRound) -> None:
        """Create demo applicants in every stage, moved there by the pipeline's own services."""
        if round_.applicants.exists():
            return
        notices = {notice: True for notice in ConsentNotice.objects.all()}
        districts = list(District.objects.exclude(branch=None).select_related("branch").order_by("pk"))
        staff = User.objects.get(username="recruiter")
        for number, (name, stages) in enumerate(content.DEMO_APPLICANTS):
            district = districts[(number * 7) % len(districts)]
            applicant, _created = services.applicant_submit(
                round=round_,
                name=name,
                mobile=f"0105555{number:04d}",
                email=f"applicant{number:02d}@example.com",
                birth_year=1980 + number % 12,
                district=district,
                preferred_branch=district.branch,
                source=Source.values[number % len(Source.values)],
                motivation=content.DEMO_MOTIVATIONS[number % len(content.DEMO_MOTIVATIONS)],
                consents=notices,
            )
            self._walk(applicant, stages, actor=staff)

    def _walk(self, applicant: Applicant, stages: list[str], *, actor: User) -> None:
        """Move `applicant` through `stages` with the services staff use; the last stage is where she stays.

        A consultation or interview she is still waiting for is booked into the branch's
        published times; one that already took place is booked into a time of its own,
        which is then moved into the past: the demo back-dates times, never a status.
        """
        for position, stage in enumerate(stages):
            waiting = position == len(stages) - 1
            if stage == content.BOOKED:
                self._book(applicant, SlotKind.CONSULTATION, actor=actor, taken_place=not waiting)
            elif stage == content.CONSULTED:
                services.applicant_mark_consulted(applicant=applicant, actor=actor)
            elif stage == content.INTERVIEW and waiting:
                self._book(applicant, SlotKind.INTERVIEW, actor=actor, taken_place=False)
            elif stage == content.INTERVIEW:
                services.applicant_invite_to_interview(applicant=applicant, actor=actor)
            elif stage == content.ACCEPTED:
                services.applicant_accept(applicant=applicant, actor=actor)
            elif stage == content.REJECTED:
                services.applicant_reject(applicant=applicant, actor=actor, reason=RejectionReason.SCHEDULE)
            elif stage == content.WITHDRAWN:
                services.applicant_withdraw(applicant=applicant, actor=None)
            applicant.refresh_from_db()

    def _book(self, applicant: Applicant, kind: str, *, actor: User, taken_place: bool) -> None:
        if not taken_place:
            slot = Slot.objects.bookable_for(applicant, [kind]).first()
            services.appointment_book(applicant=applicant, slot=slot, actor=actor)
            return
        tomorrow = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=1), time(9)))
        slot = Slot.objects.create(
            branch=applicant.preferred_branch,
            kind=kind,
            starts_at=tomorrow,
            place=f"{branch_title(applicant.preferred_branch.name)} 상담실",
            capacity=1,
        )
        services.appointment_book(applicant=applicant, slot=slot, actor=actor)
        days_ago = 7 + applicant.pk % 20
        Slot.objects.filter(pk=slot.pk).update(starts_at=tomorrow - timedelta(days=days_ago + 1))

    def _seed_cohort(self, branch: Branch) -> None:
        """Create a cohort six weeks into its training, with marks and morning meetings recorded."""
        if Cohort.objects.filter(number=DEMO_COHORT_NUMBER).exists():
            return
        today = timezone.localdate()
        starts_on = today - timedelta(weeks=6, days=today.weekday())
        hr = User.objects.get(username="hr")
        trainer = User.objects.get(username="trainer")
        cohort = self._past_cohort(DEMO_COHORT_NUMBER, content.PAST_ROUND_TITLE, branch, starts_on)
        cohort.trainers.add(trainer)
        self._enroll(cohort, content.DEMO_TRAINEES, mobile_prefix="0106666", email_prefix="trainee", actor=hr)
        cohort_record_new(cohort=cohort, actor=hr)
        rng = random.Random(DEMO_COHORT_NUMBER)
        cells = {}
        for enrollment in cohort.enrollments.all():
            for module in cohort.curriculum.modules.all():
                if module_due(cohort, module) < today and rng.random() < 0.98:
                    failing = rng.random() < 0.03
                    if module.assessment == Assessment.SCORE:
                        low, high = (
                            (module.pass_mark - 15, module.pass_mark - 1) if failing else (module.pass_mark, 100)
                        )
                        cells[(enrollment.pk, module.pk)] = str(rng.randint(low, high))
                    else:
                        cells[(enrollment.pk, module.pk)] = "failed" if failing else "passed"
        marks_save(cohort=cohort, actor=trainer, cells=cells)
        enrollments = list(cohort.enrollments.values_list("pk", flat=True))
        # The last two trainees miss meetings more often, so the dashboard has someone at risk.
        for day in [day for day in meeting_days(cohort) if day <= today]:
            exceptions = {}
            for position, pk in enumerate(enrollments):
                chance = 0.25 if position >= len(enrollments) - 2 else 0.04
                if rng.random() < chance:
                    exceptions[pk] = rng.choice(["late", "excused", "absent"])
            attendance_save(cohort=cohort, day=day, actor=trainer, exceptions=exceptions, reason="데모 기록")

    def _seed_graduated_cohort(self, branch: Branch) -> None:
        """Create a cohort that finished its training: graduates with certificates, released into the pool.

        Everything a graduate needs is recorded before HR graduates the cohort through the
        gate: every module passed, every morning meeting attended, the exam passed and the
        registration training done.
        """
        if Cohort.objects.filter(number=DEMO_GRADUATED_COHORT_NUMBER).exists():
            return
        hr = User.objects.get(username="hr")
        trainer = User.objects.get(username="trainer")
        starts_on = timezone.localdate() - timedelta(days=150)
        cohort = self._past_cohort(DEMO_GRADUATED_COHORT_NUMBER, content.GRADUATED_ROUND_TITLE, branch, starts_on)
        self._enroll(cohort, content.DEMO_GRADUATES, mobile_prefix="0106667", email_prefix="graduate", actor=hr)
        enrollments = list(cohort.enrollments.order_by("pk"))
        modules = list(cohort.curriculum.modules.all())
        cells = {
            (enrollment.pk, module.pk): str(90) if module.assessment == Assessment.SCORE else "passed"
            for enrollment in enrollments
            for module in modules
        }
        marks_save(cohort=cohort, actor=trainer, cells=cells)
        for day in meeting_days(cohort):
            attendance_save(cohort=cohort, day=day, actor=trainer, exceptions={}, reason="데모 기록")
        for number, enrollment in enumerate(enrollments):
            # The first four registered with the association; the others are still waiting for it.
            registered = number < 4
            enrollment_milestones_update(
                enrollment=enrollment,
                actor=hr,
                exam_date=cohort.ends_on - timedelta(days=20),
                exam_score=80 + number,
                exam_passed=True,
                registration_hours=Decimal(20),
                registered_on=cohort.ends_on + timedelta(days=10) if registered else None,
                registration_number=f"{cohort.ends_on.year}-강서-{number + 1:04d}" if registered else "",
            )
        cohort_record_new(cohort=cohort, actor=hr)
        cohort_graduate_eligible(cohort=cohort, actor=hr)
        for enrollment in enrollments:
            certificate = certificate_issue(enrollment=enrollment, actor=hr, render_later=False)
            certificate_render(certificate_id=certificate.pk)
        cohort_release_to_pool(cohort=cohort, actor=hr)

    def _seed_book(self, branch: Branch) -> None:
        """Import a generated book through the import path, mostly around the demo branch, and
        apply a first assignment plan as HR would: plan, review, approve, apply."""
        if BookImport.objects.exists():
            return
        hr = User.objects.get(username="hr")
        # HR sets each consultant's capacity on her pool page; the demo's graduates take 60,
        # of which the first month in the pool gives half.
        PoolMember.objects.filter(branch=branch).update(capacity=DEMO_CONSULTANT_CAPACITY)
        near = frozenset(
            code
            for province, name in District.objects.filter(branch=branch).values_list("province", "name")
            if (code := sigungu_for_district(province, name))
        )
        book = book_csv(DEMO_BOOK_CUSTOMERS, seed=DEMO_BOOK_SEED, near=near)
        book_import, _created = book_import_start(upload=SimpleUploadedFile(DEMO_BOOK_FILE, book), actor=hr)
        book_import_run(import_id=book_import.pk)
        run = assignment_run_plan(run_id=assignment_run_start(actor=hr, branch=None).pk)
        assignment_run_approve(run=run, actor=hr)
        assignment_run_apply_request(run=run, actor=hr)
        assignment_run_apply(run_id=run.pk, actor_id=hr.pk)

    def _seed_consultant_day(self) -> None:
        """Give the demo consultant the demo password and, the first time, a morning of contacts.

        She is the first graduate of the graduated cohort: registered, so the plan gave her
        customers today. Her morning: a call that reached a customer, with a promise, and a
        message that has had no answer yet; meeting someone face to face is still to do.
        """
        member = demo_consultant()
        if member is None or member.user is None:
            return
        member.user.set_password(DEMO_PASSWORD)
        member.user.save(update_fields=["password"])
        if member.contacts.exists():
            return
        first, second = list(member.customers.in_book().order_by("number")[:2])
        contact_record(
            consultant=member,
            customer=first,
            kind=ContactKind.CALL,
            reached=True,
            outcome=ContactOutcome.RENEWAL_KEPT,
            note="자동차보험 갱신 안내, 다음 주에 보장점검 방문 약속",
            next_step="보장점검 방문",
            next_step_on=timezone.localdate() + timedelta(days=2),
        )
        contact_record(consultant=member, customer=second, kind=ContactKind.MESSAGE, reached=False)

    def _enroll(self, cohort: Cohort, names: list[str], *, mobile_prefix: str, email_prefix: str, actor: User) -> None:
        """Let `names` apply to the cohort's round, be accepted and join the cohort; then close the round.

        They live in the districts the cohort's branch serves, in turn.
        """
        districts = list(District.objects.filter(branch=cohort.branch).order_by("name"))
        for number, name in enumerate(names):
            applicant = self._past_applicant(
                cohort,
                districts[number % len(districts)],
                number=number,
                actor=actor,
                name=name,
                mobile=f"{mobile_prefix}{number:04d}",
                email=f"{email_prefix}{number:02d}@example.com",
                birth_year=1980 + number % 12,
            )
            enrollment_enroll(cohort=cohort, applicant=applicant, actor=actor)
        # The round took its applications before the cohort started.
        RecruitmentRound.objects.filter(pk=cohort.round_id).update(
            opens_on=cohort.starts_on - timedelta(days=60), closes_on=cohort.starts_on - timedelta(days=30)
        )

    def _past_cohort(self, number: int, round_title: str, branch: Branch, starts_on: date) -> Cohort:
        """Create a cohort of the default curriculum and the round that feeds it, open until its people applied."""
        today = timezone.localdate()
        round_ = RecruitmentRound.objects.create(
            title=round_title, opens_on=today, closes_on=today, cohort_starts_on=starts_on, capacity=20
        )
        return Cohort.objects.create(
            number=number,
            branch=branch,
            curriculum=Curriculum.objects.get(name=DEFAULT_CURRICULUM_NAME),
            round=round_,
            starts_on=starts_on,
            capacity=20,
        )

    def _past_applicant(self, cohort: Cohort, district: District, *, number: int, actor: User, **fields) -> Applicant:
        """Apply to the cohort's round and go the whole way to acceptance, as everyone in a cohort did."""
        notices = {notice: True for notice in ConsentNotice.objects.all()}
        applicant, _created = services.applicant_submit(
            round=cohort.round,
            district=district,
            preferred_branch=cohort.branch,
            source=Source.values[number % len(Source.values)],
            consents=notices,
            **fields,
        )
        self._walk(applicant, content.PATH_TO_ACCEPTANCE, actor=actor)
        return applicant

    def _seed_logins(self, branches: dict[str, Branch]) -> None:
        for username, name, role in DEMO_LOGINS:
            user, _created = User.objects.get_or_create(
                username=username, defaults={"first_name": name, "email": f"{username}@example.com"}
            )
            user.is_staff = role is None
            user.is_superuser = role is None
            user.set_password(DEMO_PASSWORD)
            user.save()
            if role is not None:
                user.groups.set([Group.objects.get(name=role)])
            if role in (Role.RECRUITER, Role.BRANCH_MANAGER):
                StaffProfile.objects.get_or_create(user=user, defaults={"branch": branches[DEMO_STAFF_BRANCH]})
