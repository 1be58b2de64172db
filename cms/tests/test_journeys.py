"""Every journey of the README walked end to end in Chromium, as each person does it, at their width.

The applicant on a 360 px phone, the recruiter and HR at 1280 px, the trainer on a
1024 × 768 tablet. Screenshots land in VAR_DIR/screenshots/journey-*.png.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from assignments.book_generator import book_csv
from assignments.models import AssignmentRun, ContactKind, Customer, RunStatus
from assignments.services import contact_record
from cms.demo.loader import DEMO_COHORT_NUMBER, DEMO_GRADUATED_COHORT_NUMBER, DEMO_PASSWORD, demo_consultant
from cms.tests.browser import log_in, look
from curriculum.models import CertificateStatus, Cohort, EnrollmentStatus
from recruiting.models import Applicant, ApplicantStatus, AppointmentStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _apply(phone, base_url: str, *, name: str, mobile: str, email: str) -> str:
    """Fill in the application form as an applicant would; return the path of her status page."""
    phone.goto(base_url + "/apply/")
    phone.get_by_label("성명").fill(name)
    phone.get_by_label("휴대전화").fill(mobile)
    phone.get_by_label("이메일").fill(email)
    phone.get_by_label("출생연도").fill("1986")
    phone.get_by_label("시도").select_option(label="서울특별시")
    phone.get_by_label("시군구").select_option(label="강서구")
    phone.get_by_label("어떻게 알게 되셨나요?").select_option(label="지인 소개")
    phone.locator("#id_consent_application").check()
    phone.get_by_role("button", name="지원서 제출하기").click()
    assert phone.locator("h1").inner_text() == "지원해 주셔서 감사합니다"
    received = [message for message in mail.outbox if email in message.to]
    return re.search(r"/status/[\w-]+/", received[-1].body).group(0)


def test_an_applicant_books_a_consultation_then_withdraws_and_frees_her_seat(live_server, demo_site, phone):
    status_path = _apply(phone, live_server.url, name="윤하은", mobile="010-5555-0101", email="haeun@example.com")
    phone.goto(live_server.url + status_path)

    # The times come grouped by day, with the weekday, the hour after 오전/오후.
    picker = phone.locator(".slot-picker")
    first_day = picker.locator(".slot-day legend").first.inner_text()
    assert re.fullmatch(r"\d{1,2}월 \d{1,2}일 \([월화수목금토일]\)", first_day), first_day
    first_time = picker.locator(".slot-time").first
    assert re.fullmatch(r"오[전후] \d{1,2}:\d{2}", first_time.inner_text().strip())
    box = first_time.bounding_box()
    assert box["height"] >= 44
    assert box["width"] >= 44
    look(phone, "journey-applicant-slots")
    first_time.click()
    phone.get_by_role("button", name="이 시간으로 예약").click()
    expect(phone.locator(".status-stage")).to_have_text("상담 예정")
    appointment = Applicant.objects.get(mobile="01055550101").appointments.get()
    assert appointment.status == AppointmentStatus.BOOKED
    look(phone, "journey-applicant-booked")

    # Withdrawing frees the seat in the same step, and says so in one email with the calendar cancel.
    mail.outbox.clear()
    phone.get_by_role("link", name="지원 철회하기").click()
    phone.get_by_role("button", name="네, 철회합니다").click()
    expect(phone.locator(".status-stage")).to_have_text("철회")
    expect(phone.locator(".appointment")).to_have_count(0)
    expect(phone.locator(".slot-picker")).to_have_count(0)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert len(mail.outbox) == 1
    assert any(
        "METHOD:CANCEL" in content.decode() if isinstance(content, bytes) else "METHOD:CANCEL" in content
        for _name, content, _type in mail.outbox[0].attachments
    )
    look(phone, "journey-applicant-withdrawn")


def test_a_recruiter_exports_with_a_reason_and_closes_an_application_only_after_confirming(
    live_server, demo_site, desktop
):
    desktop.goto(live_server.url)
    look(desktop, "home-desktop")
    log_in(desktop, live_server.url, "recruiter", DEMO_PASSWORD)
    desktop.goto(live_server.url + reverse("applicants:index"))
    look(desktop, "journey-recruiter-list", accessibility=False)

    # Exporting asks why first; no reason is chosen for her.
    export = desktop.get_by_role("link", name="내보내기").first
    box = export.bounding_box()
    assert box["width"] < 300, "the export button's icon covers its label"
    export.click()
    reason = desktop.get_by_label("이 목록을 왜 내보내나요?")
    assert reason.input_value() == ""
    desktop.locator("main form button[type=submit]").click()
    expect(desktop.get_by_text("내보내는 이유를 고르세요.")).to_be_visible()
    reason.select_option(index=1)
    with desktop.expect_download() as download:
        desktop.locator("main form button[type=submit]").click()
    assert download.value.suggested_filename.endswith((".xlsx", ".csv"))
    look(desktop, "journey-recruiter-export", accessibility=False)

    # Rejecting starts from an empty choice and saves nothing until she confirms.
    applicant = (
        Applicant.objects.filter(status=ApplicantStatus.SUBMITTED, preferred_branch__staff__user__username="recruiter")
        .order_by("pk")
        .first()
    )
    desktop.goto(live_server.url + reverse("applicants:inspect", args=[applicant.pk]))
    stage = desktop.locator("#id_to")
    assert stage.input_value() == ""
    stage.select_option(value=ApplicantStatus.REJECTED)
    desktop.locator("#id_reason").select_option(index=1)
    mail.outbox.clear()
    desktop.get_by_role("button", name="단계 저장").click()
    expect(desktop.get_by_role("button", name="네, 불합격으로 마감합니다")).to_be_visible()
    look(desktop, "journey-recruiter-confirm-reject", accessibility=False)
    applicant.refresh_from_db()
    assert applicant.status == ApplicantStatus.SUBMITTED
    assert mail.outbox == []
    desktop.get_by_role("button", name="네, 불합격으로 마감합니다").click()
    expect(desktop.locator("#id_to")).to_have_count(0)
    applicant.refresh_from_db()
    assert applicant.status == ApplicantStatus.REJECTED
    assert [message.to for message in mail.outbox] == [[applicant.email]]

    # The slot list opens on what is coming, with the weekday and the Korean hour.
    desktop.goto(live_server.url + reverse("slots:index"))
    first_time = desktop.locator("main table tbody tr td").first.inner_text()
    assert re.search(r"\d{1,2}월 \d{1,2}일 \([월화수목금토일]\) 오[전후] \d{1,2}:\d{2}", first_time), first_time
    look(desktop, "journey-recruiter-slots", accessibility=False)


def test_hr_sees_the_gate_wait_for_the_cohort_end_and_revokes_only_after_confirming(live_server, demo_site, desktop):
    log_in(desktop, live_server.url, "hr", DEMO_PASSWORD)
    training = Cohort.objects.get(number=DEMO_COHORT_NUMBER)
    desktop.goto(live_server.url + reverse("cohorts:graduation", args=[training.pk]))
    expect(desktop.get_by_text(re.compile("기수 종료 전")).first).to_be_visible()
    look(desktop, "journey-hr-gate-training", accessibility=False)

    graduated = Cohort.objects.get(number=DEMO_GRADUATED_COHORT_NUMBER)
    graduate = graduated.enrollments.filter(status=EnrollmentStatus.GRADUATED).order_by("pk").first()
    desktop.goto(live_server.url + reverse("cohorts:trainee", args=[graduated.pk, graduate.pk]))
    # A valid certificate exists, so issuing another is not offered.
    assert desktop.get_by_role("button", name="수료증 발급").count() == 0
    desktop.get_by_role("link", name="수료증 폐기…").click()
    # Without a reason the browser does not even send the form (the server refuses it too, tested apart).
    desktop.locator("main form button.no").click()
    assert desktop.locator("#id_reason").evaluate("field => field.validity.valueMissing")
    assert graduate.certificates.get().status == CertificateStatus.VALID
    desktop.locator("#id_reason").fill("성명 표기 오류 확인")
    desktop.locator("main form button.no").click()
    expect(desktop.get_by_role("button", name="수료증 발급")).to_be_visible()
    assert graduate.certificates.get().status == CertificateStatus.REVOKED
    look(desktop, "journey-hr-trainee-revoked", accessibility=False)

    desktop.goto(live_server.url + reverse("pool:index"))
    expect(desktop.get_by_role("table", name="지점별 합계")).to_be_visible()
    look(desktop, "journey-hr-pool", accessibility=False)


def test_hr_imports_a_book_plans_reviews_applies_and_undoes_an_assignment(live_server, demo_site, desktop, tmp_path):
    """The assignment journey: a new month's book in, one plan over every branch, then back out."""
    near = frozenset({"11150", "11160"})  # 양천구, 강서구 (KOSTAT codes): the demo consultants' branch
    book = tmp_path / "2026년 12월 고아계약 명부.csv"
    book.write_bytes(book_csv(80, seed=12, near=near))
    log_in(desktop, live_server.url, "hr", DEMO_PASSWORD)

    desktop.goto(live_server.url + reverse("book_imports:index"))
    desktop.locator("input[type=file]").set_input_files(str(book))
    desktop.get_by_role("button", name="올리고 가져오기").click()
    expect(desktop.locator("main")).to_contain_text("완료")
    look(desktop, "journey-book-import", accessibility=False)
    assert Customer.objects.in_book().count() == 80

    consultants_before = dict(Customer.objects.values_list("pk", "consultant_id"))
    desktop.goto(live_server.url + reverse("assignment_runs:index"))
    desktop.locator("#id_branch").select_option(label="전체 지점")
    desktop.get_by_role("button", name="새 배정 계획").click()
    expect(desktop.locator("main")).to_contain_text("검토 대기")
    look(desktop, "journey-assignment-preview", accessibility=False)
    run = AssignmentRun.objects.get(status=RunStatus.PLANNED)
    assert dict(Customer.objects.values_list("pk", "consultant_id")) == consultants_before, "a plan changes nothing"

    desktop.get_by_role("button", name="승인").click()
    desktop.get_by_role("button", name="적용").click()
    expect(desktop.locator("main")).to_contain_text("적용됨")
    look(desktop, "journey-assignment-applied", accessibility=False)
    planned = dict(run.assignments.values_list("customer_id", "to_consultant_id"))
    assert dict(Customer.objects.filter(pk__in=planned).values_list("pk", "consultant_id")) == planned

    desktop.get_by_role("link", name="되돌리기").click()
    desktop.get_by_role("button", name=re.compile("되돌리기")).click()
    expect(desktop.locator("main")).to_contain_text("사유")
    assert AssignmentRun.objects.get(pk=run.pk).status == RunStatus.APPLIED, "no undo without a reason"
    desktop.locator("textarea").fill("12월 명부를 다시 받기로 함")
    desktop.get_by_role("button", name=re.compile("되돌리기")).click()
    expect(desktop.locator("main")).to_contain_text("되돌림")
    look(desktop, "journey-assignment-undone", accessibility=False)
    before = dict(run.assignments.values_list("customer_id", "from_consultant_id"))
    assert dict(Customer.objects.filter(pk__in=before).values_list("pk", "consultant_id")) == before


def test_a_branch_manager_sees_her_consultants_work_on_the_dashboard(live_server, demo_site, desktop):
    """The branch's side of the consultant's day: a visit she made shows up in her manager's figures."""
    member = demo_consultant()
    customer = member.customers.in_book().order_by("number").last()
    contact_record(consultant=member, customer=customer, kind=ContactKind.VISIT, reached=True)
    log_in(desktop, live_server.url, "manager", DEMO_PASSWORD)

    desktop.get_by_role("button", name="고객 배정").click()
    desktop.get_by_role("link", name="지점 현황").click()
    expect(desktop.locator("h1")).to_contain_text("지점 현황")
    row = desktop.get_by_role("row", name=re.compile(str(member)))
    # The demo's morning (a call that kept a renewal, an unanswered message) and this visit.
    expect(row).to_contain_text("1 · 1 · 1")
    expect(row.locator("td").nth(5)).to_have_text("1")
    this_week = desktop.locator(".dashboard__chart li").last
    expect(this_week.locator(".w-sr-only")).to_contain_text("대면 1건, 전화·메시지 연락 1건, 연락 안 됨 1건")
    look(desktop, "journey-branch-dashboard", accessibility=False)

    desktop.locator(".runs__figure").filter(has_text="월말 고아계약 위험").get_by_role("link").click()
    expect(desktop.locator("h1")).to_contain_text("월말 고아계약 위험")
