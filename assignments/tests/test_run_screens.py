"""The assignment-run screens: the list and the new-plan form, a plan's preview and its steps
(approve, apply, undo, discard) through the views, the poll, who may open what, the query
counts, and the month-end orphan risk."""

import re
from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.menu import admin_menu

from assignments.models import (
    Assignment,
    AssignmentRun,
    Customer,
    PlacementReason,
    PoolMember,
    RunStatus,
)
from assignments.models.book import month_end
from assignments.services import (
    assignment_run_apply,
    assignment_run_apply_request,
    assignment_run_approve,
    assignment_run_plan,
    assignment_run_start,
    pool_member_release,
    pool_member_take_leave,
)
from assignments.tests.factories import BOOK_HEADING, import_book, make_pool_graduate
from core.roles import Role
from recruiting.models import Branch, District, Province
from recruiting.tests.factories import make_staff

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = pytest.mark.usefixtures("module_site")

RUNS = "/admin/assignment-runs/"
RISK = "/admin/orphan-risk/"
GANGSEO = "서울특별시 강서구 공항대로 247"
YANGCHEON = "서울특별시 양천구 목동로 1"
MAPO = "서울특별시 마포구 월드컵로 1"
NAMES = ["김서연", "이민지", "박지현", "최수빈", "정예은", "강하은", "조지원", "윤유진"]


def _book_file(rows: list[tuple[str, str, str, int, date]]) -> bytes:
    """Return a book file: (customer number, name, address, monthly premium, the day her planner left)."""
    lines = [BOOK_HEADING]
    for number, name, address, premium, left_on in rows:
        lines.append(f"{number},{name},01012345678,{address},K-{number},장기,{premium},,P1,{left_on.isoformat()}")
    return ("\n".join(lines) + "\n").encode()


def _customers(count: int, *, start: int = 0, address: str = GANGSEO, left_on: date | None = None) -> list[tuple]:
    left_on = left_on or timezone.localdate() - timedelta(days=3)
    return [
        (f"G{start + i:03d}", NAMES[(start + i) % len(NAMES)], address, 10000 * (i + 1), left_on) for i in range(count)
    ]


@pytest.fixture
def consultants(cohort, hana, member) -> list[PoolMember]:
    """Two registered consultants of 강서: `member` (김하나, lives in 강서구) and 박지민, who lives in 양천구."""
    enrollment = make_pool_graduate(cohort, 91, actor=hana, registered=True)
    second, _created = pool_member_release(enrollment=enrollment, actor=hana)
    yangcheon = District.objects.get(province=Province.SEOUL, name="양천구")
    type(enrollment.applicant).objects.filter(pk=enrollment.applicant_id).update(district=yangcheon, name="박지민")
    return [member, PoolMember.objects.get(pk=second.pk)]


@pytest.fixture
def book(hana, consultants):
    """Six customers in 강서구 and two in 양천구, none assigned."""
    rows = _customers(6) + [(f"Y{i}", NAMES[i], YANGCHEON, 50000, timezone.localdate()) for i in range(2)]
    import_book(_book_file(rows), actor=hana)
    return Customer.objects.order_by("number")


@pytest.fixture
def editor(roles):
    return make_staff("erin", Role.EDITOR)


def _planned(actor, branch=None) -> AssignmentRun:
    run = assignment_run_start(actor=actor, branch=branch)
    return assignment_run_plan(run_id=run.pk)


def _applied(run: AssignmentRun, actor) -> AssignmentRun:
    assignment_run_approve(run=run, actor=actor)
    assignment_run_apply_request(run=run, actor=actor)
    return assignment_run_apply(run_id=run.pk, actor_id=actor.pk)


def _page(run: AssignmentRun) -> str:
    return f"{RUNS}{run.pk}/"


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _refused(response) -> bool:
    """Return whether the admin refused a role: 403, or Wagtail's redirect to the dashboard."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


# The list and the new-plan form


def test_it_lists_the_runs_in_korean_with_their_figures(client, hana, book, gangseo):
    hana.first_name = "하나"
    hana.save()
    _planned(hana, branch=gangseo)
    everywhere = _planned(hana)
    AssignmentRun.objects.filter(pk=everywhere.pk).update(
        created_at=timezone.make_aware(timezone.datetime(2027, 5, 3, 10, 30))
    )
    client.force_login(hana)
    html = client.get(RUNS).content.decode()
    for words in (
        "배정 계획",
        "새 배정 계획",
        "전체 지점",
        "검토 대기",
        "직원 요청",
        "하나",
        "5월 3일 (월) 오전 10:30",
    ):
        assert words in html, words
    assert [row["new"] for row in client.get(RUNS).context["runs"]] == [8, 6], "every branch, then 강서's six"
    for words in ("신규 8</span>", "신규 6</span>", "이동 0</span>", "미배정 0</span>"):
        assert words in html, words
    assert 'value="all"' in html, "HR may plan every branch at once"
    assert '<option value="" selected>' in html, "no branch is preselected"


def test_a_branch_manager_sees_only_her_branch_and_plans_it_whatever_she_posts(client, mina, hana, book, gangseo):
    _planned(hana)
    own = _planned(hana, branch=gangseo)
    client.force_login(mina)
    response = client.get(RUNS)
    assert [row["run"] for row in response.context["runs"]] == [own]
    html = response.content.decode()
    assert "강서" in html or gangseo.name in html
    assert 'name="branch"' not in html, "her branch is fixed"
    elsewhere = Branch.objects.get(slug="branch-1")
    response = client.post(f"{RUNS}new/", {"branch": elsewhere.pk})
    run = AssignmentRun.objects.latest("pk")
    assert response["Location"] == _page(run)
    assert (run.branch, run.requested_by) == (gangseo, mina)


def test_hr_starts_a_plan_that_the_worker_computes(client, hana, book, django_capture_on_commit_callbacks):
    client.force_login(hana)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{RUNS}new/", {"branch": "all"})
    run = AssignmentRun.objects.get()
    assert response["Location"] == _page(run)
    assert (run.branch, run.status) == (None, RunStatus.PLANNED)


@pytest.mark.parametrize("posted", [{}, {"branch": ""}, {"branch": "99999"}, {"branch": "x"}])
def test_a_plan_without_a_branch_chosen_is_refused_in_korean(client, hana, book, posted):
    client.force_login(hana)
    response = client.post(f"{RUNS}new/", posted, follow=True)
    assert response.status_code == 200
    (message,) = _messages(response)
    assert "계획을 시작하지 않았습니다" in message, message
    assert not AssignmentRun.objects.exists()


def test_the_menu_shows_customer_assignment_to_hr_and_branch_managers(rf, hana, mina, alice, tom, editor):
    # The admin's viewsets add their menu items when its URLs load: alone, this test loads them.
    reverse("wagtailadmin_home")

    def menu(user) -> dict[str, list[str]]:
        request = rf.get("/admin/")
        request.user = user
        return {
            str(item.label): [str(sub.label) for sub in item.menu.menu_items_for_request(request)]
            for item in admin_menu.menu_items_for_request(request)
            if hasattr(item, "menu")
        }

    for person in (hana, mina):
        assert menu(person)["고객 배정"] == ["배정 계획", "월말 고아계약 위험", "지점 현황"]
    for person in (alice, tom, editor):
        assert "고객 배정" not in menu(person)


# The run's page


def test_a_plan_being_computed_says_so_and_polls(client, hana, book):
    run = assignment_run_start(actor=hana, branch=None)
    client.force_login(hana)
    html = client.get(_page(run)).content.decode()
    assert "계획을 계산하고 있습니다" in html
    assert f'data-run-poll="{_page(run)}status/"' in html
    assert 'data-run-state="planning"' in html
    assert client.get(f"{_page(run)}status/").json()["state"] == "planning"
    assignment_run_plan(run_id=run.pk)
    assert client.get(f"{_page(run)}status/").json() == {"state": "planned", "status": "검토 대기"}
    html = client.get(_page(run)).content.decode()
    assert "data-run-poll" not in html, "a computed plan stops polling"


def test_the_preview_shows_the_figures_the_consultants_and_the_customers(client, hana, book, consultants):
    run = _planned(hana)
    client.force_login(hana)
    response = client.get(_page(run))
    html = response.content.decode()
    for words in (
        "신규 배정",
        "이동",
        "미배정",
        "거리 합계",
        "편차 계수",
        "서울 강서구",
        "서울 양천구",
        "김*연",
        "이*지",
    ):
        assert words in html, words
    assert "김서연" not in html, "names are masked"
    rows = {row["member"]: row for row in response.context["consultants"]}
    assert set(rows) == set(consultants)
    assert sum(row["after"] for row in rows.values()) == 8
    assert all(row["before"] == 0 for row in rows.values())
    yangcheon = rows[consultants[1]]
    assert yangcheon["premium"].endswith("원")
    assert "," in yangcheon["premium"] or yangcheon["after"] == 0
    shown = list(response.context["page_obj"])
    assert len(shown) == 8, "every customer is new, so every one is listed"
    assert f'href="/admin/customers/{shown[0].customer_id}/"' in html, "each customer links to her page"
    near = next(a for a in shown if a.customer.number == "G000")
    assert re.fullmatch(r"(같은 시군구|\d+ km) · 지점 내 · 담당 고객 \d+/\d+명", near.explanation()), near.explanation()
    assert near.explanation() in html


def test_a_failed_plan_says_why_and_previews_nothing(client, hana, book):
    run = assignment_run_start(actor=hana, branch=None)
    with mock.patch("assignments.services.runs.engine.plan", side_effect=RuntimeError("solver crashed")):
        assignment_run_plan(run_id=run.pk)
    client.force_login(hana)
    response = client.get(_page(run))
    html = response.content.decode()
    assert "배정 계획을 계산하지 못했습니다" in html
    assert "figures" not in response.context
    assert "data-run-poll" not in html
    assert "배정 계획을 계산하지 못했습니다" in client.get(RUNS).content.decode()


def test_a_rerun_lists_only_who_changes(client, hana, book, consultants):
    _applied(_planned(hana), hana)
    pinned = Customer.objects.get(number="G000")
    other = next(c for c in consultants if c != pinned.consultant)
    Customer.objects.filter(pk=pinned.pk).update(pinned_to=other)
    rerun = _planned(hana)
    client.force_login(hana)
    response = client.get(_page(rerun))
    assert [a.customer for a in response.context["page_obj"]] == [pinned]
    assert "고정 담당" in response.content.decode()
    moved = client.get(_page(rerun), {"show": "moved"})
    assert [a.customer for a in moved.context["page_obj"]] == [pinned]
    assert list(client.get(_page(rerun), {"show": "new"}).context["page_obj"]) == []


def test_the_explanation_reads_as_one_korean_line():
    def explain(**fields) -> str:
        return Assignment(**{"load": 41, "capacity": 60, **fields}).explanation()

    assert explain(placement="assigned", to_consultant_id=1, same_district=True, same_branch=True) == (
        "같은 시군구 · 지점 내 · 담당 고객 41/60명"
    )
    assert explain(
        placement="assigned", to_consultant_id=1, distance_km=4.3, same_branch=False, load=12, capacity=30
    ) == ("4 km · 다른 지점 · 담당 고객 12/30명")
    assert explain(placement="pinned", to_consultant_id=1) == "고정 담당"
    assert explain(placement="kept", to_consultant_id=1, from_consultant_id=1) == "기존 담당 유지"
    for reason in ("region_unknown", "no_consultant_in_reach", "no_capacity"):
        assert explain(placement=reason).startswith("미배정: "), reason
    assert explain(placement="pin_unavailable", to_consultant_id=1, distance_km=0.4).startswith(
        "고정 담당 컨설턴트가 고객을 받을 수 없음 · 1 km"
    )
    assert all(str(label) != str(value) for value, label in PlacementReason.choices), "every reason is translated"


# The steps, through the views


def test_approve_apply_and_undo_through_the_views(client, hana, book, django_capture_on_commit_callbacks):
    run = _planned(hana)
    page = _page(run)
    client.force_login(hana)
    html = client.get(page).content.decode()
    assert f'action="{page}approve/"' in html
    assert f'action="{page}apply/"' not in html
    response = client.post(f"{page}approve/", follow=True)
    assert "승인했습니다" in _messages(response)[0]
    assert not Customer.objects.filter(consultant__isnull=False).exists(), "approving changes nobody"
    html = response.content.decode()
    assert f'action="{page}apply/"' in html
    assert "백그라운드" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{page}apply/", follow=True)
    assert "백그라운드" in _messages(response)[0]
    assert AssignmentRun.objects.get(pk=run.pk).status == RunStatus.APPLIED
    planned = dict(run.assignments.values_list("customer", "to_consultant"))
    assert dict(Customer.objects.values_list("pk", "consultant")) == planned
    html = client.get(page).content.decode()
    assert f'href="{page}undo/"' in html

    confirmation = client.get(f"{page}undo/")
    assert confirmation.status_code == 200
    assert "되돌리시겠습니까" in confirmation.content.decode()
    assert AssignmentRun.objects.get(pk=run.pk).status == RunStatus.APPLIED, "the confirmation changes nothing"
    response = client.post(f"{page}undo/", {"reason": "  "})
    assert response.status_code == 200
    assert "사유를 적어 주세요" in response.content.decode()
    assert AssignmentRun.objects.get(pk=run.pk).status == RunStatus.APPLIED
    response = client.post(f"{page}undo/", {"reason": "가중치를 잘못 정함"}, follow=True)
    assert "되돌렸습니다" in _messages(response)[0]
    assert not Customer.objects.filter(consultant__isnull=False).exists()
    assert "가중치를 잘못 정함" in response.content.decode()
    assert AssignmentRun.objects.get(pk=run.pk).status == RunStatus.UNDONE


def test_applying_shows_in_progress_until_the_worker_is_done(client, hana, book):
    run = _planned(hana)
    assignment_run_approve(run=run, actor=hana)
    client.force_login(hana)
    client.post(f"{_page(run)}apply/")  # the worker's task waits for the commit, which never comes here
    html = client.get(_page(run)).content.decode()
    assert "적용 중" in html
    assert 'data-run-state="applying"' in html
    assert f'action="{_page(run)}apply/"' not in html, "no second apply"
    assert f'href="{_page(run)}discard/"' not in html
    assert client.get(f"{_page(run)}status/").json()["state"] == "applying"
    response = client.post(f"{_page(run)}apply/", follow=True)
    assert "이미 적용하고 있습니다" in _messages(response)[0]


def test_discarding_asks_for_confirmation(client, hana, book):
    run = _planned(hana)
    client.force_login(hana)
    confirmation = client.get(f"{_page(run)}discard/")
    assert "폐기하시겠습니까" in confirmation.content.decode()
    assert AssignmentRun.objects.get(pk=run.pk).status == RunStatus.PLANNED
    response = client.post(f"{_page(run)}discard/", {"reason": ""}, follow=True)
    assert "폐기했습니다" in _messages(response)[0]
    assert AssignmentRun.objects.get(pk=run.pk).status == RunStatus.DISCARDED


def test_refused_steps_say_why_in_korean(client, hana, book):
    run = _planned(hana)
    assignment_run_approve(run=run, actor=hana)
    client.force_login(hana)
    response = client.post(f"{_page(run)}approve/", follow=True)
    (message,) = _messages(response)
    assert "지금은 승인됨 상태입니다" in message, message
    response = client.get(f"{_page(run)}undo/", follow=True)
    assert "적용된 계획만 되돌릴 수 있습니다" in _messages(response)[0]
    client.post(f"{_page(run)}discard/", {"reason": "새 계획으로 대체"}, follow=True)
    response = client.post(f"{_page(run)}apply/", follow=True)
    assert "승인된 계획만 적용할 수 있습니다" in _messages(response)[0]
    response = client.post(f"{_page(run)}undo/", {"reason": "잘못"}, follow=True)
    assert "적용된 계획만 되돌릴 수 있습니다" in _messages(response)[0]


def test_a_stale_plan_shows_why_it_was_not_applied(client, hana, book, django_capture_on_commit_callbacks):
    run = _planned(hana)
    assignment_run_approve(run=run, actor=hana)
    _applied(_planned(hana), hana)
    client.force_login(hana)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{_page(run)}apply/")
    html = client.get(_page(run)).content.decode()
    assert AssignmentRun.objects.get(pk=run.pk).status == RunStatus.APPROVED
    assert "다시 계획해 주세요" in html
    assert f'href="{_page(run)}discard/"' in html


def test_an_undo_too_late_is_refused_with_the_reason(client, hana, book):
    first = _applied(_planned(hana), hana)
    Customer.objects.filter(number="G001").update(pinned_to=Customer.objects.get(number="Y0").consultant)
    _applied(_planned(hana), hana)
    client.force_login(hana)
    response = client.post(f"{_page(first)}undo/", {"reason": "잘못된 배정"}, follow=True)
    assert "더 이상 되돌릴 수 없습니다" in _messages(response)[0]
    assert AssignmentRun.objects.get(pk=first.pk).status == RunStatus.APPLIED


# Who may open what


def _every_url(run: AssignmentRun) -> list[tuple[str, str]]:
    page = _page(run)
    return [
        ("get", RUNS),
        ("post", f"{RUNS}new/"),
        ("get", page),
        ("get", f"{page}status/"),
        ("post", f"{page}approve/"),
        ("post", f"{page}apply/"),
        ("get", f"{page}undo/"),
        ("post", f"{page}undo/"),
        ("get", f"{page}discard/"),
        ("post", f"{page}discard/"),
        ("get", RISK),
    ]


def test_roles_without_runs_are_refused_everywhere(client, hana, alice, tom, editor, book):
    run = _planned(hana)
    for person in (alice, tom, editor):
        client.force_login(person)
        for method, url in _every_url(run):
            assert _refused(getattr(client, method)(url, {"reason": "x", "branch": "all"})), (person, method, url)
    assert AssignmentRun.objects.get(pk=run.pk).status == RunStatus.PLANNED
    assert AssignmentRun.objects.count() == 1


def test_another_branchs_manager_finds_nothing(client, hana, bob, book, gangseo):
    run = _planned(hana, branch=gangseo)
    everywhere = _planned(hana)
    client.force_login(bob)
    for other in (run, everywhere):
        for method, url in _every_url(other)[2:-1]:
            assert getattr(client, method)(url, {"reason": "x"}).status_code == 404, (method, url)
    assert AssignmentRun.objects.get(pk=run.pk).status == RunStatus.PLANNED
    assert list(client.get(RUNS).context["runs"]) == []


def test_anonymous_visitors_are_sent_to_log_in(client, hana, book):
    run = _planned(hana)
    for method, url in _every_url(run):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


# Query counts


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_preview_takes_the_same_queries_for_a_small_and_a_larger_book(client, hana, book, cohort):
    small = _planned(hana)
    client.force_login(hana)
    few = _queries(client, _page(small))
    third = make_pool_graduate(cohort, 92, actor=hana, registered=True)
    pool_member_release(enrollment=third, actor=hana)
    import_book(
        _book_file(_customers(60, start=100) + _customers(20, start=200, address=YANGCHEON)),
        actor=hana,
    )
    larger = _planned(hana)
    assert larger.assignments.count() == 80
    assert _queries(client, _page(larger)) == few == 16


def test_the_list_takes_the_same_queries_for_few_or_many_runs(client, hana, mina, book, gangseo):
    _planned(hana, branch=gangseo)
    client.force_login(mina)
    few = _queries(client, RUNS)
    for _number in range(4):
        _planned(hana, branch=gangseo)
    assignment_run_start(actor=hana, branch=gangseo)
    assert _queries(client, RUNS) == few == 13


# The month-end orphan risk


@pytest.fixture
def at_risk(hana, consultants, gangseo):
    """Customers whose planners left last month, this month and two months ago; one with an active consultant."""
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    two_months_ago = (last_month - timedelta(days=1)).replace(day=1)
    District.objects.filter(province=Province.SEOUL, name="마포구").update(branch=Branch.objects.get(slug="branch-1"))
    rows = [
        ("A1", "김서연", GANGSEO, 30000, this_month),
        ("A2", "이민지", GANGSEO, 30000, last_month + timedelta(days=3)),
        ("A3", "박지현", YANGCHEON, 30000, two_months_ago),
        ("A4", "최수빈", MAPO, 30000, this_month),
        ("A5", "정예은", GANGSEO, 30000, this_month),
    ]
    import_book(_book_file(rows), actor=hana)
    member = consultants[0]
    Customer.objects.filter(number="A5").update(consultant=member)
    return {"this_month": this_month, "last_month": last_month, "two_months_ago": two_months_ago}


def test_the_orphan_risk_lists_the_soonest_deadline_first(client, hana, at_risk):
    client.force_login(hana)
    response = client.get(RISK)
    groups = response.context["groups"]
    assert [group["deadline"] for group in groups] == [
        month_end(at_risk["two_months_ago"]),
        month_end(at_risk["last_month"]),
        month_end(at_risk["this_month"]),
    ]
    assert [[item["customer"].number for item in group["customers"]] for group in groups] == [
        ["A3"],
        ["A2"],
        ["A1", "A4"],
    ]
    today = timezone.localdate()
    left = (month_end(today) - today).days
    assert groups[2]["days_left"] == ("오늘 마감" if left == 0 else f"{left}일 남음")
    assert groups[0]["overdue"]
    assert groups[0]["days_left"].endswith("일 지남")
    html = response.content.decode()
    assert "김*연" in html
    assert "김서연" not in html
    assert "정*은" not in html, "a customer with an active consultant is not at risk"
    totals = {row["branch"]: (row["total"], row["this_month"], row["overdue"]) for row in response.context["branches"]}
    assert totals == {"지점0": (2, 1, 1), "지점1": (1, 1, 0), "지점 없음 (시군구 모름)": (1, 0, 1)}


def test_a_customer_whose_consultant_is_away_is_at_risk(client, hana, mina, at_risk, consultants):
    Customer.objects.filter(number="A5").update(consultant=consultants[1])
    pool_member_take_leave(member=consultants[1], actor=hana, reason="육아휴직")
    client.force_login(mina)
    response = client.get(RISK)
    numbers = [item["customer"].number for group in response.context["groups"] for item in group["customers"]]
    assert numbers == ["A2", "A1", "A5"], "her branch's customers only, soonest first"
    assert "박지민 (휴직)" in response.content.decode()


def test_the_orphan_risk_is_scoped_and_refused_to_roles_without_customers(client, bob, alice, tom, at_risk):
    client.force_login(bob)
    response = client.get(RISK)
    assert [item["customer"].number for group in response.context["groups"] for item in group["customers"]] == ["A4"]
    for person in (alice, tom):
        client.force_login(person)
        assert _refused(client.get(RISK))


def test_the_orphan_risk_takes_the_same_queries_for_few_or_many_customers(client, hana, at_risk):
    client.force_login(hana)
    few = _queries(client, RISK)
    import_book(_book_file(_customers(70, start=300, left_on=at_risk["last_month"])), actor=hana)
    assert _queries(client, RISK) == few == 13
