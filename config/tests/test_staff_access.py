"""Every staff URL of the project, for every role: one row per URL, one column per role.

The walk over the URL configuration fails when a URL of our admin screens has no row,
so a new screen cannot ship without deciding who may open it (DESIGN §6).
"""

from dataclasses import dataclass, field, replace
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from wagtail.models import Site

from assignments.models import BookImport, BranchDigest, Customer, CustomerLetterBatch
from assignments.selectors import korean_business_day
from assignments.services import assignment_run_start, book_import_run, book_import_start, pool_member_release
from cms.tests.sitetree import build_site
from core.roles import Role
from curriculum.certificates.services import certificate_batch_start, certificate_issue, certificate_render
from curriculum.models import (
    AttendanceWarning,
    CertificateSettings,
    Cohort,
    Curriculum,
    Enrollment,
)
from curriculum.services import (
    curriculum_install_default,
    enrollment_enroll,
    meeting_days,
)
from curriculum.tests.factories import make_graduate
from recruiting import services
from recruiting.consent_defaults import install_default_notices
from recruiting.models import (
    AccessRecord,
    ApplicantStatus,
    Branch,
    ConsentNotice,
    District,
    RecruitmentRound,
    Slot,
    StaffProfile,
)
from recruiting.tests.factories import make_applicant, make_staff, walk_to

pytestmark = pytest.mark.django_db

E, R, M, T, H, C = Role.EDITOR, Role.RECRUITER, Role.BRANCH_MANAGER, Role.TRAINER, Role.HR, Role.CONSULTANT
ROLES = [E, R, M, T, H, C]
OK, FOUND_NOTHING, DENIED, REDIRECT = 200, 404, "denied", 302
# The consultant's role holds no access to the admin at all: every admin page sends her to its login.
NOT_STAFF = "sent to the admin's login"


@dataclass(frozen=True)
class Row:
    """A URL (built from the test data), how to call it, and what each role gets."""

    url: str
    answers: dict[Role, object]
    method: str = "get"
    data: dict = field(default_factory=dict)


def _only(answer: object, *roles: Role) -> dict[Role, object]:
    return {role: answer if role in roles else DENIED for role in ROLES}


def _rows(data: dict) -> dict[str, Row]:
    """Return one row per URL. The recruiter works at the applicant's branch, the branch manager elsewhere."""
    applicant, round_, branch = data["applicant"], data["round"], data["branch"]
    district, profile, record = data["district"], data["profile"], data["record"]
    site = Site.objects.get(is_default_site=True)
    pipeline = {E: DENIED, R: OK, M: OK, T: DENIED, H: OK}
    own_branch_only = {E: DENIED, R: OK, M: FOUND_NOTHING, T: DENIED, H: OK}
    move = {"to": ApplicantStatus.CONSULTED, "expected_status": ApplicantStatus.CONSULTATION_BOOKED}
    acted = {E: DENIED, R: REDIRECT, M: FOUND_NOTHING, T: DENIED, H: REDIRECT}
    rows = {
        "dashboard": Row("/admin/", _only(OK, *ROLES)),
        "edit home page": Row(f"/admin/pages/{data['pages']['home'].pk}/edit/", _only(OK, E)),
        "add a story": Row(f"/admin/pages/add/cms/storypage/{data['pages']['story_index'].pk}/", _only(OK, E)),
        "site settings": Row(f"/admin/settings/cms/sitesettings/{site.pk}/", _only(OK, E)),
        "images": Row("/admin/images/", _only(OK, E, H)),  # HR: the seal collection only
        "applicants:index": Row("/admin/applicants/", pipeline),
        "applicants:index_results": Row("/admin/applicants/results/", pipeline),
        "applicants:inspect": Row(f"/admin/applicants/{applicant.pk}/", own_branch_only),
        "applicants:move": Row(f"/admin/applicants/{applicant.pk}/move/", acted, "post", move),
        "applicants:add_note": Row(f"/admin/applicants/{applicant.pk}/notes/", acted, "post", {"text": "전화함"}),
        "applicants:book": Row(f"/admin/applicants/{applicant.pk}/book/", acted, "post", {"slot": data["slot"].pk}),
        "applicants:cancel": Row(
            f"/admin/applicants/{applicant.pk}/appointments/{data['appointment'].pk}/cancel/", acted, "post"
        ),
        "applicants:board": Row("/admin/applicants/board/", pipeline),
        "applicants:funnel": Row(f"/admin/applicants/funnel/{round_.pk}/", pipeline),
    }
    viewsets = {
        "rounds": (round_, _only(OK, H), _only(OK, H), _only(OK, H)),
        "branches": (branch, _only(OK, E, H), _only(OK, E, H), _only(OK, H)),
        "districts": (district, _only(OK, E, H), _only(OK, E, H), _only(OK)),
        "staff_branches": (profile, _only(OK, H), _only(OK, H), _only(OK, H)),
        "slots": (data["slot"], pipeline, own_branch_only, pipeline),
        "cohorts": (data["cohort"], {E: DENIED, R: DENIED, M: OK, T: OK, H: OK}, _only(OK, H), _only(OK, H)),
        "curricula": (data["curriculum"], _only(OK, H), _only(OK, H), _only(OK, H)),
    }
    deletable = {"slots": own_branch_only}
    for namespace, (obj, listing, change, add) in viewsets.items():
        prefix = "/admin/" + namespace.replace("_", "-") + "/"
        rows |= {
            f"{namespace}:index": Row(prefix, listing),
            f"{namespace}:index_results": Row(prefix + "results/", listing),
            f"{namespace}:add": Row(prefix + "new/", add),
            f"{namespace}:edit": Row(prefix + f"edit/{obj.pk}/", change),
            f"{namespace}:delete": Row(prefix + f"delete/{obj.pk}/", deletable.get(namespace, _only(OK))),
            f"{namespace}:history": Row(prefix + f"history/{obj.pk}/", change),
            f"{namespace}:history_results": Row(prefix + f"history-results/{obj.pk}/", change),
            f"{namespace}:usage": Row(prefix + f"usage/{obj.pk}/", change),
        }
    rows["rounds:copy"] = Row(f"/admin/rounds/copy/{round_.pk}/", _only(OK, H))
    rows["slots:copy"] = Row(f"/admin/slots/copy/{data['slot'].pk}/", own_branch_only)
    rows["slots:inspect"] = Row(f"/admin/slots/inspect/{data['slot'].pk}/", own_branch_only)
    cohort = data["cohort"]
    trainer_and_hr = {E: DENIED, R: DENIED, M: FOUND_NOTHING, T: OK, H: OK}
    first_day = meeting_days(cohort)[0].isoformat()
    enrollment = data["enrollment"]
    module = cohort.curriculum.modules.first()
    rows |= {
        "cohorts:enroll": Row(f"/admin/cohorts/{cohort.pk}/enroll/", _only(REDIRECT, H), "post"),
        "cohorts:dashboard": Row(f"/admin/cohorts/{cohort.pk}/", trainer_and_hr),
        "cohorts:marks": Row(f"/admin/cohorts/{cohort.pk}/marks/", trainer_and_hr),
        "cohorts:mark_history": Row(f"/admin/cohorts/{cohort.pk}/marks/{enrollment.pk}/{module.pk}/", trainer_and_hr),
        "cohorts:attendance": Row(
            f"/admin/cohorts/{cohort.pk}/attendance/", {**trainer_and_hr, T: REDIRECT, H: REDIRECT}
        ),
        "cohorts:attendance_day": Row(f"/admin/cohorts/{cohort.pk}/attendance/{first_day}/", trainer_and_hr),
        "cohorts:graduation": Row(f"/admin/cohorts/{cohort.pk}/graduation/", trainer_and_hr),
        "cohorts:trainee": Row(f"/admin/cohorts/{cohort.pk}/trainees/{enrollment.pk}/", trainer_and_hr),
        "cohorts:graduate_early": Row(
            f"/admin/cohorts/{cohort.pk}/trainees/{enrollment.pk}/graduate-early/",
            {E: DENIED, R: DENIED, M: FOUND_NOTHING, T: DENIED, H: REDIRECT},
        ),
        "cohorts:certificate_issue": Row(
            f"/admin/cohorts/{cohort.pk}/trainees/{enrollment.pk}/certificate/", _only(REDIRECT, H), "post"
        ),
        "cohorts:certificate_pdf": Row(
            f"/admin/cohorts/{cohort.pk}/certificates/{data['certificate'].pk}/pdf/", trainer_and_hr
        ),
        "cohorts:certificate_change": Row(
            f"/admin/cohorts/{cohort.pk}/certificates/{data['certificate'].pk}/reissue/",
            _only(REDIRECT, H),
            "post",
            {"reason": "이름 정정"},
        ),
        "cohorts:certificate_batch_start": Row(
            f"/admin/cohorts/{cohort.pk}/certificates/batch/", _only(REDIRECT, H), "post"
        ),
        "cohorts:certificate_batch": Row(
            f"/admin/cohorts/{cohort.pk}/certificates/batch/{data['batch'].pk}/", trainer_and_hr
        ),
        "certificate settings": Row(
            f"/admin/settings/curriculum/certificatesettings/{CertificateSettings.load().pk}/", _only(OK, H)
        ),
    }
    rows |= {
        "access_records:index": Row("/admin/access-records/", _only(OK, H)),
        "access_records:index_results": Row("/admin/access-records/results/", _only(OK, H)),
        "access_records:inspect": Row(f"/admin/access-records/{record.pk}/", _only(OK, H)),
    }
    notice = data["notice"]
    snippets = "/admin/snippets/recruiting/consentnotice/"
    rows |= {
        "wagtailsnippets_recruiting_consentnotice:list": Row(snippets, _only(OK, E)),
        "wagtailsnippets_recruiting_consentnotice:list_results": Row(snippets + "results/", _only(OK, E)),
        "wagtailsnippets_recruiting_consentnotice:add": Row(snippets + "add/", _only(OK, E)),
        "wagtailsnippets_recruiting_consentnotice:edit": Row(snippets + f"edit/{notice.pk}/", _only(OK, E)),
        "wagtailsnippets_recruiting_consentnotice:delete": Row(snippets + f"delete/{notice.pk}/", _only(OK)),
        "wagtailsnippets_recruiting_consentnotice:usage": Row(snippets + f"usage/{notice.pk}/", _only(OK, E)),
        "wagtailsnippets_recruiting_consentnotice:history": Row(snippets + f"history/{notice.pk}/", _only(OK, E)),
        "wagtailsnippets_recruiting_consentnotice:history_results": Row(
            snippets + f"history-results/{notice.pk}/", _only(OK, E)
        ),
        "wagtailsnippets_recruiting_consentnotice:copy": Row(snippets + f"copy/{notice.pk}/", _only(OK, E)),
    }
    member = data["member"]
    pool = {E: DENIED, R: OK, M: OK, T: DENIED, H: OK}
    pool_moves = {E: DENIED, R: DENIED, M: FOUND_NOTHING, T: DENIED, H: OK}
    rows |= {
        "pool:index": Row("/admin/pool/", pool),
        "pool:index_results": Row("/admin/pool/results/", pool),
        "pool:edit": Row(f"/admin/pool/edit/{member.pk}/", _only(OK, H)),
        "pool:history": Row(f"/admin/pool/history/{member.pk}/", _only(OK, H)),
        "pool:history_results": Row(f"/admin/pool/history-results/{member.pk}/", _only(OK, H)),
        "pool:usage": Row(f"/admin/pool/usage/{member.pk}/", _only(OK, H)),
        "pool:release": Row("/admin/pool/release/", _only(REDIRECT, H), "post", {"cohort": cohort.pk}),
        "pool:inspect": Row(f"/admin/pool/inspect/{member.pk}/", {**pool, M: FOUND_NOTHING}),
        # The moves' confirmation pages; the member is active, so there is nothing to return from.
        "pool:take_leave": Row(f"/admin/pool/{member.pk}/take-leave/", pool_moves),
        "pool:return": Row(f"/admin/pool/{member.pk}/return/", {**pool_moves, H: REDIRECT}),
        "pool:leave": Row(f"/admin/pool/{member.pk}/leave/", pool_moves),
    }
    rows |= {
        "login_locks:index": Row("/admin/login-locks/", _only(OK, H)),
        "login_locks:unlock": Row("/admin/login-locks/unlock/?username=olga", _only(OK, H)),
        "login_locks:unlock (post)": Row(
            "/admin/login-locks/unlock/", _only(REDIRECT, H), "post", {"username": "olga"}
        ),
    }
    unsent = "/admin/unsent-emails/"
    notification = data["applicant"].notifications.first()
    rows |= {
        "unsent_emails:index": Row(unsent, _only(OK, H)),
        "unsent_emails:notification": Row(f"{unsent}notifications/{notification.pk}/", _only(OK, H)),
        "unsent_emails:notification (post)": Row(
            f"{unsent}notifications/{notification.pk}/", _only(REDIRECT, H), "post"
        ),
        "unsent_emails:certificate": Row(f"{unsent}certificates/{data['certificate'].pk}/", _only(OK, H)),
        "unsent_emails:attendance_warning": Row(f"{unsent}attendance-warnings/{data['warning'].pk}/", _only(OK, H)),
        "unsent_emails:branch_digest": Row(f"{unsent}branch-digests/{data['digest'].pk}/", _only(OK, H)),
    }
    # Wagtail's reports and page search. The site history names objects of every branch,
    # so staff scoped to a branch or cohort are refused it (cms.admin_views); the others
    # need page permissions, which only editors hold.
    reports = "/admin/reports/"
    rows |= {
        "site history": Row(reports + "site-history/", _only(OK, E, H)),
        "site history results": Row(reports + "site-history/results/", _only(OK, E, H)),
        "site history export": Row(reports + "site-history/", _only(OK, E, H), data={"export": "csv"}),
        "locked pages": Row(reports + "locked/", _only(OK, E)),
        "workflows report": Row(reports + "workflow/", _only(OK, E)),
        "workflow tasks report": Row(reports + "workflow_tasks/", _only(OK, E)),
        "aging pages": Row(reports + "aging-pages/", _only(OK, E)),
        "page types usage": Row(reports + "page-types-usage/", _only(OK, E)),
        "page search": Row("/admin/pages/search/", _only(OK, E), data={"q": "김"}),
    }
    # The customer book: imports are HR's; customers HR's and the branch managers', each her branch's.
    book_import, customer = data["book_import"], Customer.objects.get(number="C001")
    imports = "/admin/book-imports/"
    customers = {E: DENIED, R: DENIED, M: OK, T: DENIED, H: OK}
    customer_page = {**customers, M: FOUND_NOTHING}  # the 강서 customer; the branch manager works elsewhere
    rows |= {
        "book_imports:index": Row(imports, _only(OK, H)),
        "book_imports:index_results": Row(imports + "results/", _only(OK, H)),
        "book_imports:inspect": Row(f"{imports}{book_import.pk}/", _only(OK, H)),
        "book_imports:progress": Row(f"{imports}{book_import.pk}/progress/", _only(OK, H)),
        "book_imports:error_report": Row(f"{imports}{book_import.pk}/refused-rows/", _only(OK, H)),
        "book_imports:upload": Row(imports + "upload/", _only(REDIRECT, H), "post"),
        "customers:index": Row("/admin/customers/", customers),
        "customers:index_results": Row("/admin/customers/results/", customers),
        "customers:inspect": Row(f"/admin/customers/{customer.pk}/", customer_page),
        "customers:open": Row(f"/admin/customers/{customer.pk}/open/", customer_page, "post", {"reason": "audit"}),
        "customers:export": Row("/admin/customers/export/", customers),
        "customers:export (post)": Row("/admin/customers/export/", customers, "post", {"reason": "audit"}),
    }
    # Assignment runs: HR's and the branch managers', each her branch's. The 강서 plan is still
    # being computed, so each of its steps is refused with a message (a redirect to its page).
    runs, run = "/admin/assignment-runs/", data["run"]
    run_roles = {E: DENIED, R: DENIED, M: OK, T: DENIED, H: OK}
    gangseo_run = {**run_roles, M: FOUND_NOTHING}
    run_steps = {**gangseo_run, H: REDIRECT}
    rows |= {
        "assignment_runs:index": Row(runs, run_roles),
        "assignment_runs:start": Row(runs + "new/", {**run_roles, M: REDIRECT, H: REDIRECT}, "post", {"branch": "all"}),
        "assignment_runs:run": Row(f"{runs}{run.pk}/", gangseo_run),
        "assignment_runs:status": Row(f"{runs}{run.pk}/status/", gangseo_run),
        "assignment_runs:approve": Row(f"{runs}{run.pk}/approve/", run_steps, "post"),
        "assignment_runs:apply": Row(f"{runs}{run.pk}/apply/", run_steps, "post"),
        "assignment_runs:undo": Row(f"{runs}{run.pk}/undo/", run_steps),
        "assignment_runs:discard": Row(f"{runs}{run.pk}/discard/", run_steps),
        # The PDF of the plan's letters to its customers without a mobile.
        "assignment_runs:letters": Row(f"{runs}{run.pk}/letters/1/", gangseo_run),
        "orphan_risk:index": Row("/admin/orphan-risk/", run_roles),
        "branch_dashboard:index": Row("/admin/branch-dashboard/", run_roles),
    }
    # The working consultants' morning meeting: the trainer of the 강서 cohort, HR; the branch
    # manager works elsewhere, so the list opens her own branch and 강서 is not there to her.
    meeting, meeting_day = f"/admin/consultant-attendance/{branch.pk}/", _latest_business_day()
    meeting_takers = {E: DENIED, R: DENIED, M: FOUND_NOTHING, T: OK, H: OK}
    rows |= {
        "consultant_attendance:index": Row(
            "/admin/consultant-attendance/", {**meeting_takers, M: REDIRECT, T: REDIRECT}
        ),
        "consultant_attendance:branch": Row(meeting, {**meeting_takers, T: REDIRECT, H: REDIRECT}),
        "consultant_attendance:day": Row(f"{meeting}{meeting_day}/", meeting_takers),
        "consultant_attendance:day (post)": Row(
            f"{meeting}{meeting_day}/", {**meeting_takers, T: REDIRECT, H: REDIRECT}, "post"
        ),
    }
    # The customers' notices HR sends again: a plan's text messages, a plan's letters.
    rows |= {
        "unsent_emails:customer_notices": Row(f"{unsent}customer-notices/{run.pk}/", _only(OK, H)),
        "unsent_emails:customer_letters": Row(f"{unsent}customer-letters/{data['letters'].pk}/", _only(OK, H)),
    }
    rows = {name: replace(row, answers={**row.answers, C: NOT_STAFF}) for name, row in rows.items()}
    # The consultant's workspace: hers alone. Staff, who have no place in the pool, are refused
    # it (403); C001 is her customer, C003 is not (nobody's), so its page is not there to her.
    mine, not_mine = customer.pk, Customer.objects.get(number="C003").pk
    contact = {"kind": "call", "reached": "no"}
    rows |= {
        "workspace:today": Row("/my/", _only(OK, C)),
        "workspace:customers": Row("/my/customers/", _only(OK, C)),
        "workspace:customer": Row(f"/my/customers/{mine}/", _only(OK, C)),
        "workspace:customer (not hers)": Row(f"/my/customers/{not_mine}/", _only(FOUND_NOTHING, C)),
        "workspace:contact_new": Row(f"/my/customers/{mine}/contacts/", _only(REDIRECT, C), "post", contact),
        "workspace:contact_new (not hers)": Row(
            f"/my/customers/{not_mine}/contacts/", _only(FOUND_NOTHING, C), "post", contact
        ),
    }
    return rows


# The admin URL namespaces that belong to this project rather than to Wagtail itself.
OUR_NAMESPACES = (
    "applicants",
    "rounds",
    "branches",
    "districts",
    "staff_branches",
    "access_records",
    "slots",
    "cohorts",
    "curricula",
    "pool",
    "login_locks",
    "unsent_emails",
    "wagtailsnippets_cms_",
    "book_imports",
    "customers",
    "assignment_runs",
    "orphan_risk",
    "consultant_attendance",
    "workspace",
)


def _latest_business_day() -> str:
    """Return the latest day up to today with a morning meeting (a weekday that is not a public holiday)."""
    day = timezone.localdate()
    while not korean_business_day(day):
        day -= timedelta(days=1)
    return day.isoformat()


def _our_admin_url_names() -> set[str]:
    def walk(patterns, namespaces=()):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, namespaces + ((pattern.namespace,) if pattern.namespace else ()))
            else:
                yield ":".join((*namespaces, pattern.name or str(pattern.pattern)))

    return {name for name in walk(get_resolver().url_patterns) if name.startswith(OUR_NAMESPACES)}


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker, tmp_path_factory):
    """Build the data once, in a transaction rolled back after the module; each test's changes roll back to it."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        yield _build_data()
        transaction.set_rollback(True)


def _build_data() -> dict:
    call_command("setup", verbosity=0)
    pages = build_site()
    install_default_notices()
    gangseo = Branch.objects.get(slug="branch-0")
    today = timezone.localdate()
    round_ = RecruitmentRound.objects.create(
        title="모집",
        opens_on=today - timedelta(days=7),
        closes_on=today + timedelta(days=7),
        cohort_starts_on=today + timedelta(days=40),
        capacity=10,
    )
    applicant = make_applicant(round_)
    hr = make_staff("hana", H)
    starts_at = timezone.now() + timedelta(days=2)
    slot = Slot.objects.create(branch=gangseo, starts_at=starts_at, place="상담실", capacity=5)
    other_slot = Slot.objects.create(branch=gangseo, starts_at=starts_at, place="상담실", capacity=5)
    curriculum_install_default()
    curriculum = Curriculum.objects.get()
    # The cohort has ended, so its graduate may hold a certificate (none is dated before the training ended).
    cohort = Cohort.objects.create(
        number=1, branch=gangseo, curriculum=curriculum, round=round_, starts_on=today - timedelta(days=100)
    )
    accepted = make_applicant(round_, mobile="01055550000", email="accepted@example.com")
    enrollment = enrollment_enroll(cohort=cohort, applicant=walk_to(accepted, ApplicantStatus.ACCEPTED), actor=hr)
    make_graduate(enrollment, actor=hr)
    certificate = certificate_issue(enrollment=enrollment, actor=hr)
    certificate_render(certificate_id=certificate.pk)
    member = pool_member_release(enrollment=Enrollment.objects.get(pk=enrollment.pk))[0]
    run = assignment_run_start(actor=hr, branch=gangseo)
    return {
        "batch": certificate_batch_start(cohort=cohort, actor=hr),
        "member": member,
        "cohort": cohort,
        "enrollment": enrollment,
        "certificate": certificate,
        "warning": AttendanceWarning.objects.create(enrollment=enrollment, week_of=today, attendance_rate=80),
        "digest": BranchDigest.objects.create(branch=gangseo, recipient=hr, week_of=today),
        "curriculum": curriculum,
        "slot": other_slot,
        "appointment": services.appointment_book(applicant=applicant, slot=slot),
        "pages": pages,
        "round": round_,
        "applicant": applicant,
        "branch": gangseo,
        "district": District.objects.filter(branch=gangseo).first(),
        "profile": StaffProfile.objects.create(
            user=get_user_model().objects.create_user("olga", password="x"), branch=gangseo
        ),
        "record": AccessRecord.objects.create(user=hr, username="hana", action=AccessRecord.Action.VIEW),
        "notice": ConsentNotice.objects.first(),
        "gangseo": gangseo,
        "elsewhere": Branch.objects.get(slug="branch-1"),
        "book_import": _book_import(hr, member),
        "run": run,
        # The plan's letters, as its applying would leave them (a plan is applied in tests of its own).
        "letters": CustomerLetterBatch.objects.create(
            run=run, pdf=ContentFile(b"%PDF-1.4 letters", name="letters.pdf"), letters=1, rendered_at=timezone.now()
        ),
    }


def _book_import(hr, member) -> BookImport:
    """Return an import read into the book: two customers at 강서, and a refused row for the error report.

    The first is the consultant's: a plan would give her to the member; here she is given directly.
    """
    content = (
        "고객번호,고객명,휴대폰,주소,계약번호,상품군,월보험료,갱신일,설계사코드,해촉일\n"
        "C001,김서연,010-1234-5678,서울특별시 강서구 공항대로 247,K-1,자동차,45000,,P77,2026-11-02\n"
        "C002,,,서울 강서구,K-2,자동차,1000,,P1,2026-11-01\n"
        "C003,이지은,010-2345-6789,서울특별시 강서구 화곡로 302,K-3,장기,30000,,P77,2026-11-02\n"
    )
    book_import, _created = book_import_start(upload=SimpleUploadedFile("book.csv", content.encode()), actor=hr)
    book_import = book_import_run(import_id=book_import.pk)
    Customer.objects.filter(number="C001").update(consultant=member)
    return book_import


def _persona(role: Role, data: dict):
    if role == C:
        # Her login, made when she was released into the pool.
        return data["member"].user
    branch = {R: data["gangseo"], M: data["elsewhere"]}.get(role)
    user = make_staff(f"user-{role.name.lower()}", role, branch)
    if role == T:
        data["cohort"].trainers.add(user)
    return user


def _assert_answer(response, expected, label: str) -> None:
    if expected == DENIED:
        assert response.status_code in (302, 403), label
        if response.status_code == 302:
            assert response["Location"] == "/admin/", label
    elif expected == NOT_STAFF:
        assert response.status_code == 302, label
        assert response["Location"].startswith("/admin/login/"), label
    elif expected == REDIRECT:
        assert response.status_code == 302, label
        assert not response["Location"].startswith("/admin/login/"), label
    else:
        assert response.status_code == expected, label


def test_every_staff_url_has_a_row(data):
    missing = _our_admin_url_names() - set(_rows(data))
    assert not missing, f"give these URLs a row: {sorted(missing)}"


@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_each_role_gets_what_its_row_says(client, data, role):
    client.force_login(_persona(role, data))
    for name, row in _rows(data).items():
        response = getattr(client, row.method)(row.url, row.data)
        _assert_answer(response, row.answers[role], f"{role.name} {row.method.upper()} {name}")


def test_anonymous_visitors_are_sent_to_log_in(client, data):
    for name, row in _rows(data).items():
        response = getattr(client, row.method)(row.url, row.data)
        assert response.status_code == 302, name
        # The consultant signs in to her workspace on its own page.
        login = "/my/login/" if row.url.startswith("/my/") else "/admin/login/"
        assert response["Location"].startswith(login), name


def test_a_superuser_opens_every_page(client, data):
    client.force_login(get_user_model().objects.create_superuser("root", password="x"))
    for name, row in _rows(data).items():
        if row.url.startswith("/my/"):
            # The workspace shows a consultant her own customers; a superuser has none.
            _assert_answer(getattr(client, row.method)(row.url, row.data), DENIED, name)
        elif row.method == "get":
            _assert_answer(client.get(row.url), REDIRECT if row.answers[H] == REDIRECT else OK, name)
