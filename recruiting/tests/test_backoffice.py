"""The recruiting back office: list, search, export, detail, moves, notes, board and funnel."""

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.states import state_record
from recruiting import services
from recruiting.models import (
    AccessRecord,
    Applicant,
    ApplicantEvent,
    ApplicantNote,
    ApplicantStatus,
    Branch,
    ExportReason,
)
from recruiting.tests.factories import make_applicant, walk_to

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = pytest.mark.usefixtures("module_site")

LIST = "/admin/applicants/"


@pytest.fixture
def seoyeon(open_round):
    """이서연 applied to the 강서 branch (alice's)."""
    return make_applicant(open_round)


def _elsewhere(open_round, number: int, name: str = "김민지") -> Applicant:
    """An applicant of branch-1, which alice does not work for."""
    applicant = make_applicant(open_round, mobile=f"0109999{number:04d}", email=f"o{number}@example.com", name=name)
    Applicant.objects.filter(pk=applicant.pk).update(preferred_branch=Branch.objects.get(slug="branch-1"))
    return applicant


def _names(response) -> list[str]:
    return [applicant.name for applicant in response.context["object_list"]]


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_recruiter_lists_only_her_branch(client, alice, seoyeon, open_round):
    _elsewhere(open_round, 1)
    client.force_login(alice)
    assert _names(client.get(LIST)) == ["이서연"]


def test_hr_lists_every_branch(client, hana, seoyeon, open_round):
    _elsewhere(open_round, 1)
    client.force_login(hana)
    assert sorted(_names(client.get(LIST))) == ["김민지", "이서연"]


@pytest.mark.parametrize(
    ("words", "found"),
    [("서연", ["이서연"]), ("이서", ["이서연"]), ("5678", ["이서연"]), ("010-1234", ["이서연"]), ("민지", ["김민지"])],
)
def test_search_finds_korean_name_parts_and_mobile_digits(client, hana, seoyeon, open_round, words, found):
    _elsewhere(open_round, 1)
    client.force_login(hana)
    assert _names(client.get(LIST, {"q": words})) == found


def test_filters_narrow_the_list(client, hana, seoyeon, open_round):
    other = _elsewhere(open_round, 1)
    walk_to(other, ApplicantStatus.INTERVIEW)
    client.force_login(hana)
    assert _names(client.get(LIST, {"status": ApplicantStatus.INTERVIEW})) == ["김민지"]
    assert _names(client.get(LIST, {"preferred_branch": seoyeon.preferred_branch_id})) == ["이서연"]
    assert _names(client.get(LIST, {"round": open_round.pk, "source": "referral"})) == ["김민지", "이서연"]


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_list_takes_the_same_queries_for_3_or_30_applicants(client, hana, open_round):
    client.force_login(hana)
    for number in range(3):
        _elsewhere(open_round, number)
    few = _list_queries(client)
    for number in range(3, 30):
        _elsewhere(open_round, number)
    assert _list_queries(client) == few == 13


def test_the_detail_takes_the_same_queries_however_long_the_history(
    client, hana, seoyeon, django_capture_on_commit_callbacks
):
    client.force_login(hana)
    url = f"{LIST}{seoyeon.pk}/"
    with CaptureQueriesContext(connection) as short:
        client.get(url)
    for number in range(5):
        ApplicantNote.objects.create(applicant=seoyeon, author=hana, text=f"메모 {number}")
        state_record(seoyeon, actor=hana, note="통화")
    with CaptureQueriesContext(connection) as long:
        response = client.get(url)
    assert response.status_code == 200
    assert len(long) == len(short), [q["sql"][:90] for q in long.captured_queries]
    assert len(long) == 17


def test_opening_an_applicant_is_recorded_without_personal_data(client, alice, seoyeon):
    client.force_login(alice)
    response = client.get(f"{LIST}{seoyeon.pk}/")
    assert response.status_code == 200
    assert "010-1234-5678" in response.content.decode()
    record = AccessRecord.objects.get()
    assert (record.user, record.action, record.applicant) == (alice, AccessRecord.Action.VIEW, seoyeon)
    row = " ".join(str(value) for value in AccessRecord.objects.values().get().values())
    for personal in ("이서연", "01012345678", "seoyeon@example.com"):
        assert personal not in row


def test_another_branch_applicant_answers_404(client, bob, seoyeon):
    client.force_login(bob)
    assert client.get(f"{LIST}{seoyeon.pk}/").status_code == 404
    assert client.post(f"{LIST}{seoyeon.pk}/move/", {"to": "consulted"}).status_code == 404
    assert not AccessRecord.objects.exists()


class TestExport:
    def test_it_asks_for_a_reason_first_and_records_nothing(self, client, hana, seoyeon):
        client.force_login(hana)
        response = client.get(LIST, {"export": "csv", "status": "submitted"})
        assert response.status_code == 200
        assert "이 목록을 왜 내보내나요?" in response.content.decode()
        assert '<input type="hidden" name="status" value="submitted">' in response.content.decode()
        assert not AccessRecord.objects.exists()

    def test_other_needs_a_note(self, client, hana, seoyeon):
        client.force_login(hana)
        response = client.get(LIST, {"export": "csv", "reason": ExportReason.OTHER, "note": ""})
        assert response.context["form"].errors == {"note": ["'기타'를 고르면 메모에 이유를 적어 주세요."]}
        assert not AccessRecord.objects.exists()

    def test_an_unknown_reason_is_refused(self, client, hana, seoyeon):
        client.force_login(hana)
        response = client.get(LIST, {"export": "csv", "reason": "<script>"})
        assert response["Content-Type"].startswith("text/html")
        assert not AccessRecord.objects.exists()

    def test_it_exports_the_visible_filtered_rows_and_logs_why(self, client, alice, seoyeon, open_round):
        _elsewhere(open_round, 1)
        client.force_login(alice)
        response = client.get(
            LIST, {"export": "csv", "q": "이서", "reason": ExportReason.SCHEDULING, "note": "다음 주 상담"}
        )
        body = b"".join(response.streaming_content).decode()
        assert body.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
        assert rows[0][:3] == ["이름", "휴대전화", "이메일"]
        assert [row[0] for row in rows[1:]] == ["이서연"]
        record = AccessRecord.objects.get()
        assert (record.action, record.reason, record.note, record.row_count) == (
            AccessRecord.Action.EXPORT,
            ExportReason.SCHEDULING,
            "다음 주 상담",
            1,
        )
        # The search words may be a name: only their presence is recorded.
        assert record.filters == {"export": ["csv"], "q": "…"}

    def test_cells_that_look_like_formulas_are_defused(self, client, hana, seoyeon):
        Applicant.objects.filter(pk=seoyeon.pk).update(name="=HYPERLINK(1)")
        client.force_login(hana)
        body = b"".join(client.get(LIST, {"export": "csv", "reason": "reporting"}).streaming_content).decode()
        assert "'=HYPERLINK(1)" in body

    def test_xlsx_export_works(self, client, hana, seoyeon):
        client.force_login(hana)
        response = client.get(LIST, {"export": "xlsx", "reason": "reporting"})
        assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert AccessRecord.objects.get().row_count == 1

    # 06:22 in Seoul on 9 December is still 8 December in UTC.
    AT_DAWN_IN_SEOUL = datetime(2026, 12, 8, 21, 22, tzinfo=UTC)

    def test_csv_shows_the_time_in_seoul(self, client, hana, seoyeon):
        Applicant.objects.filter(pk=seoyeon.pk).update(created_at=self.AT_DAWN_IN_SEOUL)
        client.force_login(hana)
        body = b"".join(client.get(LIST, {"export": "csv", "reason": "reporting"}).streaming_content).decode()
        row = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))[1]
        assert row[-1] == "2026년 12월 9일 (수) 오전 6:22"

    def test_xlsx_holds_the_time_in_seoul(self, client, hana, seoyeon):
        Applicant.objects.filter(pk=seoyeon.pk).update(created_at=self.AT_DAWN_IN_SEOUL)
        client.force_login(hana)
        response = client.get(LIST, {"export": "xlsx", "reason": "reporting"})
        sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        applied_at = sheet.cell(row=2, column=sheet.max_column)
        assert applied_at.value == datetime(2026, 12, 9, 6, 22)
        assert applied_at.number_format == '[$-412]yyyy"년" m"월" d"일" (ddd) AM/PM h:mm'

    def test_the_reason_starts_empty(self, client, hana, seoyeon):
        client.force_login(hana)
        page = client.get(LIST, {"export": "csv"}).content.decode()
        select = re.search(r'<select name="reason".*?</select>', page, re.S).group()
        assert '<option value="" selected>선택하세요</option>' in select
        assert select.count(" selected>") == 1

    def test_no_reason_is_refused_in_korean_and_exports_nothing(self, client, hana, seoyeon):
        client.force_login(hana)
        response = client.get(LIST, {"export": "csv", "reason": "", "note": "월말 보고"})
        assert response["Content-Type"].startswith("text/html")
        assert response.context["form"].errors == {"reason": ["내보내는 이유를 고르세요."]}
        assert not AccessRecord.objects.exists()

    def test_the_list_shows_an_export_button_to_those_who_may_export(self, client, hana, seoyeon):
        client.force_login(hana)
        page = client.get(LIST, {"status": "submitted"}).content.decode()
        assert re.search(r'href="/admin/applicants/\?status=submitted&amp;export=xlsx"[^>]*>.*?내보내기', page, re.S)

    def test_the_export_button_sizes_its_icon(self, client, hana, seoyeon):
        # Without Wagtail's button--icon class the <svg> has no size and covers the label.
        client.force_login(hana)
        page = client.get(LIST, {"export": "csv"}).content.decode()
        button = re.search(r'<button type="submit" class="([^"]*)">\s*<svg', page)
        assert "button--icon" in button.group(1).split()


CANNOT_MOVE = "이 지원서는 지금 단계에서 그 단계로 옮길 수 없습니다."


class TestMove:
    def _post(self, client, applicant, **data):
        return client.post(f"{LIST}{applicant.pk}/move/", data)

    def test_it_moves_through_the_service(self, client, alice, seoyeon):
        walk_to(seoyeon, ApplicantStatus.CONSULTATION_BOOKED)
        client.force_login(alice)
        response = self._post(client, seoyeon, to="consulted", expected_status="consultation_booked", note="좋음")
        assert response.status_code == 302
        assert _messages(response) == ["이서연 님이 '상담 완료' 단계로 바뀌었습니다."]
        event = ApplicantEvent.objects.latest("pk")
        assert (event.to_status, event.actor, event.note) == ("consulted", alice, "좋음")

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (
                {"to": "accepted", "expected_status": "submitted"},
                "이 지원서는 지금 단계에서 그 단계로 옮길 수 없습니다.",
            ),
            (
                {"to": "enrolled", "expected_status": "submitted"},
                "이 지원서는 지금 단계에서 그 단계로 옮길 수 없습니다.",
            ),
            ({"to": "rejected", "expected_status": "submitted"}, "불합격 이유를 고르세요."),
            ({"to": "rejected", "expected_status": "submitted", "reason": "other"}, "'기타'를 고르면 메모에 이유를"),
            ({"to": "rejected", "expected_status": "submitted", "reason": "age"}, "올바르게 선택해 주세요"),
            (
                {"to": "withdrawn", "expected_status": "interview", "confirmed": "True"},
                "방금 다른 담당자가 이 지원서를 처리했습니다.",
            ),
            ({"to": "withdrawn", "expected_status": "submitted", "note": "x" * 1001}, "1000"),
            ({"to": "withdrawn", "expected_status": "submitted", "note": "860101-2345678"}, "주민등록번호"),
            ({"to": "withdrawn"}, "필수 작성 항목입니다"),
        ],
    )
    def test_bad_moves_are_refused_with_a_message_and_change_nothing(self, client, alice, seoyeon, data, message):
        client.force_login(alice)
        events = ApplicantEvent.objects.count()
        response = self._post(client, seoyeon, **data)
        assert response.status_code == 302
        assert any(message in text for text in _messages(response)), _messages(response)
        assert Applicant.objects.get(pk=seoyeon.pk).status == ApplicantStatus.SUBMITTED
        assert ApplicantEvent.objects.count() == events

    def test_a_move_from_the_board_returns_to_the_board(self, client, alice, seoyeon):
        walk_to(seoyeon, ApplicantStatus.CONSULTATION_BOOKED)
        client.force_login(alice)
        response = self._post(client, seoyeon, to="consulted", expected_status="consultation_booked", next="board")
        assert response["Location"] == f"/admin/applicants/board/?round={seoyeon.round_id}"

    def test_get_is_not_allowed(self, client, alice, seoyeon):
        client.force_login(alice)
        assert client.get(f"{LIST}{seoyeon.pk}/move/").status_code == 405


class TestNotes:
    @pytest.mark.parametrize(
        ("text", "message"),
        [("", "필수 작성 항목입니다"), ("x" * 2001, "2000"), ("주민번호 860101-2345678", "주민등록번호")],
    )
    def test_bad_notes_are_refused(self, client, alice, seoyeon, text, message):
        client.force_login(alice)
        response = client.post(f"{LIST}{seoyeon.pk}/notes/", {"text": text})
        assert any(message in m for m in _messages(response)), _messages(response)
        assert not ApplicantNote.objects.exists()

    def test_a_note_shows_on_the_detail(self, client, alice, seoyeon):
        client.force_login(alice)
        client.post(f"{LIST}{seoyeon.pk}/notes/", {"text": "<b>오전</b> 통화 선호"})
        page = client.get(f"{LIST}{seoyeon.pk}/").content.decode()
        assert "&lt;b&gt;오전&lt;/b&gt; 통화 선호" in page


def test_the_board_counts_and_shows_only_the_users_branch(client, alice, seoyeon, open_round):
    _elsewhere(open_round, 1)
    client.force_login(alice)
    response = client.get("/admin/applicants/board/", {"round": open_round.pk})
    submitted = response.context["columns"][0]
    assert submitted["status"] == ApplicantStatus.SUBMITTED
    assert submitted["count"] == 1
    assert [card.name for card in submitted["cards"]] == ["이서연"]
    assert "김민지" not in response.content.decode()


def test_the_funnel_counts_every_stage_reached(client, hana, open_round, django_capture_on_commit_callbacks):
    first, second, third = (_elsewhere(open_round, number) for number in range(3))
    for applicant in (first, second):
        walk_to(applicant, ApplicantStatus.CONSULTATION_BOOKED)
        services.applicant_mark_consulted(applicant=applicant, actor=hana)
    services.applicant_reject(applicant=second, actor=hana, reason="schedule")
    services.applicant_withdraw(applicant=third)
    client.force_login(hana)
    overall = client.get(f"/admin/applicants/funnel/{open_round.pk}/").context["report"]["overall"]
    reached = {step.status: (step.reached, step.conversion) for step in overall.steps}
    assert reached[ApplicantStatus.SUBMITTED] == (3, None)
    assert reached[ApplicantStatus.CONSULTATION_BOOKED] == (2, 66.7)
    assert reached[ApplicantStatus.CONSULTED] == (2, 100.0)
    assert reached[ApplicantStatus.INTERVIEW] == (0, 0.0)
    assert reached[ApplicantStatus.ACCEPTED] == (0, None)
    assert (overall.rejected, overall.withdrawn) == (1, 1)


def test_the_dashboard_shows_the_funnel_of_open_rounds(client, alice, seoyeon, open_round):
    client.force_login(alice)
    page = client.get("/admin/").content.decode()
    assert "진행 중인 모집" in page
    assert "지원자 1명" in page


# A valid HTML global date and time: no microseconds, an offset (RFC 3339 / HTML §2.3.5.8).
HTML_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})$")


def test_time_elements_carry_a_valid_html_datetime(client, alice, seoyeon):
    ApplicantNote.objects.create(applicant=seoyeon, author=alice, text="통화")
    client.force_login(alice)
    page = client.get(f"{LIST}{seoyeon.pk}/").content.decode()
    values = re.findall(r'datetime="([^"]*)"', page)
    assert len(values) >= 2
    assert all(HTML_DATETIME.match(value) for value in values), values
    assert "+09:00" in values[0]


def test_no_template_writes_a_datetime_with_microseconds():
    templates = Path(settings.BASE_DIR) / "templates"
    offenders = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if re.search(r"""\|date:\s*["']c["']""", path.read_text())
    ]
    assert not offenders
