"""The customer book's screens: HR's upload and its progress, the masked customer list per role, opening a
customer with a reason, and the export."""

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assignments.admin_views.book import COLUMN_HELP
from assignments.book_import import COLUMNS
from assignments.models import BookImport, BookImportStatus, Customer, CustomerAccessRecord
from assignments.services import book_import_run, book_import_start

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = pytest.mark.usefixtures("module_site")

IMPORTS = "/admin/book-imports/"
CUSTOMERS = "/admin/customers/"
HEADING = "고객번호,고객명,휴대폰,주소,계약번호,상품군,월보험료,갱신일,설계사코드,해촉일"
ROWS = [
    "C001,김서연,010-1234-5678,서울특별시 강서구 공항대로 247,K-1,자동차,45000,2027-03-01,P77,2026-11-02",
    "C001,김서연,010-1234-5678,서울특별시 강서구 공항대로 247,K-2,장기,82000,,P77,2026-11-02",
    "C002,박민지,01098765432,경기 수원시 장안구 정조로 1,K-3,일반,12000,2027.01.15,P78,2026.10.30",
    'C003,이하은,,인천 미추홀구 주안로 10,K-4,장기(건강·상해),"130,000",20270610,P78,20261030',
]
BAD_ROW = "C009,850101-2345678,,서울 강서구,K-9,자동차,1000,,P1,2026-11-01"


def _csv(*rows: str) -> bytes:
    return ("\n".join([HEADING, *rows]) + "\n").encode()


def _upload(content: bytes, name: str = "book.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def _denied(response) -> bool:
    """Return whether the admin refused the role: Wagtail answers a PermissionDenied with a redirect home."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def run_import(hana, django_capture_on_commit_callbacks):
    """Upload a file through the service as HR and let the (synchronous) worker read it; return the import."""

    def run(content: bytes, name: str = "book.csv") -> BookImport:
        with django_capture_on_commit_callbacks(execute=True):
            book_import, _created = book_import_start(upload=_upload(content, name), actor=hana)
        return BookImport.objects.get(pk=book_import.pk)

    return run


@pytest.fixture
def book(run_import) -> BookImport:
    """The book of three customers: 김서연 in 강서 (two contracts), 박민지 in 수원, 이하은 in 인천 (no branch)."""
    return run_import(_csv(*ROWS))


@pytest.fixture
def seoyeon(book) -> Customer:
    return Customer.objects.get(number="C001")


# The imports -------------------------------------------------------------------------------


def test_it_explains_the_columns_the_size_limit_and_the_encodings(client, hana, settings):
    settings.UPLOAD_MAX_MB = 7
    client.force_login(hana)
    html = client.get(IMPORTS).content.decode()
    for headings in COLUMNS.values():
        assert headings[0] in html
    assert set(COLUMN_HELP) == set(COLUMNS), "every column the reader takes is explained on the upload page"
    assert "CP949" in html
    assert "UTF-8" in html
    assert "XLSX" in html
    assert "7 MB" in html
    assert 'accept=".csv,.xlsx"' in html
    assert "같은 파일" in html


def test_it_uploads_a_book_and_shows_its_figures(client, hana, django_capture_on_commit_callbacks):
    client.force_login(hana)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{IMPORTS}upload/", {"file": _upload(_csv(*ROWS, BAD_ROW))})
    book_import = BookImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{IMPORTS}{book_import.pk}/"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "완료" in html
    figures = dict(re.findall(r'<th scope="row">([^<]+)</th><td>(\d+)</td>', html))
    assert figures["고객"] == "3"
    assert figures["계약"] == "4"
    assert figures["거부된 행"] == "1"
    assert figures["새 고아계약 고객"] == "3"
    assert f"{IMPORTS}{book_import.pk}/refused-rows/" in html
    assert f'href="{CUSTOMERS}"' in html
    assert "data-book-progress" not in html, "a finished import does not poll"
    listing = client.get(IMPORTS).content.decode()
    assert "book.csv" in listing
    assert "완료" in listing


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"file": SimpleUploadedFile("book.pdf", b"%PDF-1.4")}, "CSV 또는 XLSX"),
        ({}, "파일을 선택"),
        ({"file": SimpleUploadedFile("book.csv", b"")}, "빈 파일"),
    ],
    ids=["another type", "no file", "empty"],
)
def test_it_refuses_an_upload_in_korean_and_imports_nothing(client, hana, data, expected):
    client.force_login(hana)
    response = client.post(f"{IMPORTS}upload/", data, follow=True)
    assert response.status_code == 200
    (message,) = _messages(response)
    assert expected in message, message
    assert not BookImport.objects.exists()


def test_it_refuses_a_file_over_the_limit(client, hana, settings):
    settings.UPLOAD_MAX_MB = 1
    client.force_login(hana)
    big = _csv(*ROWS) + b"#" * (1024 * 1024)
    response = client.post(f"{IMPORTS}upload/", {"file": _upload(big)}, follow=True)
    (message,) = _messages(response)
    assert "1 MB" in message
    assert not BookImport.objects.exists()


def test_it_sends_the_same_file_twice_to_its_first_import(client, hana, book):
    client.force_login(hana)
    response = client.post(f"{IMPORTS}upload/", {"file": _upload(_csv(*ROWS))}, follow=True)
    assert response.redirect_chain[-1][0] == f"{IMPORTS}{book.pk}/"
    (message,) = _messages(response)
    assert "이미 가져온 파일입니다" in message
    assert BookImport.objects.count() == 1


def test_it_refuses_a_second_book_while_one_is_read(client, hana):
    client.force_login(hana)
    client.post(f"{IMPORTS}upload/", {"file": _upload(_csv(*ROWS))})  # queued: the worker has not run it
    response = client.post(f"{IMPORTS}upload/", {"file": _upload(_csv(ROWS[0]))}, follow=True)
    assert "읽는 중" in _messages(response)[-1]
    assert BookImport.objects.count() == 1


def test_it_follows_the_worker_with_a_progress_bar(client, hana):
    client.force_login(hana)
    response = client.post(f"{IMPORTS}upload/", {"file": _upload(_csv(*ROWS))})  # the worker has not run it
    book_import = BookImport.objects.get()
    assert book_import.status == BookImportStatus.QUEUED
    html = client.get(response["Location"]).content.decode()
    assert f'data-book-progress="{IMPORTS}{book_import.pk}/progress/"' in html
    assert "<progress" in html
    assert "대기 중" in html
    progress = client.get(f"{IMPORTS}{book_import.pk}/progress/")
    assert progress["Content-Type"] == "application/json"
    assert "no-store" in progress["Cache-Control"]
    assert progress.json() | {"text": ""} == {
        "status": "queued",
        "status_label": "대기 중",
        "rows_total": 0,
        "rows_read": 0,
        "rows_refused": 0,
        "percent": 0,
        "text": "",
        "finished": False,
    }
    book_import_run(import_id=book_import.pk)
    progress = client.get(f"{IMPORTS}{book_import.pk}/progress/").json()
    assert (progress["status_label"], progress["percent"], progress["finished"]) == ("완료", 100, True)
    assert progress["rows_read"] == progress["rows_total"] == 4


def test_it_shows_why_an_import_failed(client, hana, run_import):
    book_import = run_import(b"\xef\xbb\xbf\xea\xb3\xa0\xea\xb0\x9d\xeb\xb2\x88\xed\x98\xb8\nC1\n")  # only 고객번호
    client.force_login(hana)
    html = client.get(f"{IMPORTS}{book_import.pk}/").content.decode()
    assert "실패" in html
    assert "주소" in html


def test_it_sends_the_refused_rows_to_hr_only(client, hana, mina, alice, run_import):
    book_import = run_import(_csv(ROWS[0], BAD_ROW))
    url = f"{IMPORTS}{book_import.pk}/refused-rows/"
    client.force_login(hana)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    report = b"".join(response.streaming_content).decode("utf-8-sig")
    assert report.splitlines()[0].startswith("행")
    assert "850101" not in report
    for person in (mina, alice):
        client.force_login(person)
        assert _denied(client.get(url))
        assert _denied(client.get(f"{IMPORTS}{book_import.pk}/"))
        assert _denied(client.get(f"{IMPORTS}{book_import.pk}/progress/"))
        assert _denied(client.post(f"{IMPORTS}upload/", {"file": _upload(_csv(ROWS[2]))}))
    assert BookImport.objects.count() == 1


def test_an_import_without_refused_rows_has_no_report(client, hana, book):
    client.force_login(hana)
    assert client.get(f"{IMPORTS}{book.pk}/refused-rows/").status_code == 404
    assert client.get(f"{IMPORTS}999999/").status_code == 404


# The customers -----------------------------------------------------------------------------


def test_it_lists_customers_masked(client, hana, book):
    client.force_login(hana)
    response = client.get(CUSTOMERS)
    html = response.content.decode()
    assert "김*연" in html
    assert "010-****-5678" in html
    assert "김서연" not in html
    assert "5678" not in html.replace("010-****-5678", "")
    assert "공항대로" not in html, "the address is personal data"
    assert "서울 강서구" in html
    assert "경기 수원시 장안구" in html
    assert "127,000원" in html
    assert "미배정" in html
    assert "2026년 11월 30일" in html
    assert [c.number for c in response.context["object_list"]] == ["C002", "C003", "C001"], "the most urgent first"


def test_it_flags_a_deadline_passed_without_a_consultant(client, hana, member, book, time_machine):
    time_machine.move_to("2026-12-01 09:00 +0900")
    Customer.objects.filter(number="C002").update(consultant=member)
    client.force_login(hana)
    html = client.get(CUSTOMERS).content.decode()
    assert html.count("기한 지남") == 2, "C001 and C003 wait past their deadline; C002 has her consultant"
    time_machine.move_to("2026-10-31 23:00 +0900")
    assert "기한 지남" not in client.get(CUSTOMERS).content.decode(), "the last day of the month is still in time"


def test_it_scopes_the_customers_to_the_branch_manager(client, mina, bob, seoyeon):
    client.force_login(mina)
    assert [c.number for c in client.get(CUSTOMERS).context["object_list"]] == ["C001"]
    assert client.get(f"{CUSTOMERS}{seoyeon.pk}/").status_code == 200
    client.force_login(bob)
    assert list(client.get(CUSTOMERS).context["object_list"]) == []
    assert client.get(f"{CUSTOMERS}{seoyeon.pk}/").status_code == 404
    assert client.post(f"{CUSTOMERS}{seoyeon.pk}/open/", {"reason": "audit"}).status_code == 404
    assert not CustomerAccessRecord.objects.exists()


def test_it_shows_a_branch_manager_the_customers_of_her_consultants(client, mina, member, book):
    suwon = Customer.objects.get(number="C002")
    Customer.objects.filter(pk=suwon.pk).update(consultant=member)
    client.force_login(mina)
    numbers = [c.number for c in client.get(CUSTOMERS).context["object_list"]]
    assert numbers == ["C002", "C001"]
    assert "김하나" in client.get(f"{CUSTOMERS}{suwon.pk}/").content.decode()


def test_it_refuses_the_roles_without_customers(client, alice, tom, seoyeon, book):
    urls = [
        ("get", CUSTOMERS),
        ("get", f"{CUSTOMERS}results/"),
        ("get", f"{CUSTOMERS}{seoyeon.pk}/"),
        ("post", f"{CUSTOMERS}{seoyeon.pk}/open/"),
        ("get", f"{CUSTOMERS}export/"),
        ("post", f"{CUSTOMERS}export/"),
        ("get", IMPORTS),
        ("get", f"{IMPORTS}{book.pk}/"),
    ]
    for person in (alice, tom):
        client.force_login(person)
        for method, url in urls:
            assert _denied(getattr(client, method)(url, {"reason": "audit"})), (person, url)
    client.logout()
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url
    assert not CustomerAccessRecord.objects.exists()


def test_it_filters_by_branch_for_hr_only(client, hana, mina, book, gangseo):
    client.force_login(hana)
    response = client.get(CUSTOMERS, {"branch": gangseo.pk})
    assert [c.number for c in response.context["object_list"]] == ["C001"]
    # 수원 and 인천 are served by no branch of the test site.
    assert [c.number for c in client.get(CUSTOMERS, {"branch": "null"}).context["object_list"]] == ["C002", "C003"]
    client.force_login(mina)
    response = client.get(CUSTOMERS)
    assert "branch" not in response.context["filters"].form.fields


def test_it_filters_by_product_line_and_assignment(client, hana, member, book):
    Customer.objects.filter(number="C002").update(consultant=member)
    client.force_login(hana)

    def listed(**query) -> list[str]:
        return [c.number for c in client.get(CUSTOMERS, query).context["object_list"]]

    assert listed(main_line="long_term") == ["C003", "C001"]
    assert listed(assigned="yes") == ["C002"]
    assert listed(assigned="no") == ["C003", "C001"]
    assert "김하나" in client.get(CUSTOMERS).content.decode()


def test_it_searches_by_number_or_the_last_four_digits_never_by_name(client, hana, book):
    client.force_login(hana)

    def found(words: str) -> list[str]:
        return [c.number for c in client.get(CUSTOMERS, {"q": words}).context["object_list"]]

    assert found("c002") == ["C002"]
    assert found("5678") == ["C001"]
    assert found("5432") == ["C002"]
    assert found("김서연") == []
    assert found("서연") == []


def test_it_lists_the_book_as_it_stands_unless_asked(client, hana, book, run_import):
    run_import(_csv(*ROWS[:3]))  # 이하은 is no longer in the book
    client.force_login(hana)

    def listed(**query) -> list[str]:
        return [c.number for c in client.get(CUSTOMERS, query).context["object_list"]]

    assert listed() == ["C002", "C001"]
    assert listed(book="left") == ["C003"]
    assert sorted(listed(book="all")) == ["C001", "C002", "C003"]
    assert listed(branch="not-a-branch") == ["C002", "C001"], "a bad filter never shows the customers who left"


def test_the_list_takes_the_same_queries_for_3_or_30_customers(client, hana, mina, member, run_import):
    def rows(count: int) -> list[str]:
        return [
            f"C{n:03},김서연,010-1234-{n:04},서울특별시 강서구 공항대로 {n},K-{n},자동차,45000,,P77,2026-11-02"
            for n in range(1, count + 1)
        ]

    def queries(person) -> int:
        client.force_login(person)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(CUSTOMERS)
        assert response.status_code == 200
        return len(captured)

    run_import(_csv(*rows(3)))
    Customer.objects.update(consultant=member)
    few = {person: queries(person) for person in (hana, mina)}
    run_import(_csv(*rows(30)))
    Customer.objects.update(consultant=member)
    assert len(client.get(CUSTOMERS).context["object_list"]) == 30
    many = {person: queries(person) for person in (hana, mina)}
    assert many == few


def test_the_customer_page_takes_the_same_queries_for_1_or_10_contracts(client, hana, run_import):
    def rows(count: int) -> list[str]:
        return [
            f"C001,김서연,010-1234-5678,서울특별시 강서구 공항대로 247,K-{n},자동차,45000,,P77,2026-11-02"
            for n in range(1, count + 1)
        ]

    client.force_login(hana)
    run_import(_csv(*rows(1)))
    customer = Customer.objects.get()
    with CaptureQueriesContext(connection) as one:
        client.get(f"{CUSTOMERS}{customer.pk}/")
    run_import(_csv(*rows(10)))
    with CaptureQueriesContext(connection) as ten:
        response = client.get(f"{CUSTOMERS}{customer.pk}/")
    assert len(response.context["contracts"]) == 10
    assert len(ten) == len(one)


def test_the_customer_page_is_masked_and_lists_her_contracts(client, hana, seoyeon):
    client.force_login(hana)
    html = client.get(f"{CUSTOMERS}{seoyeon.pk}/").content.decode()
    assert "김*연" in html
    assert "010-****-5678" in html
    assert "김서연" not in html
    assert "010-1234-5678" not in html
    assert "공항대로" not in html
    for text in ("K-1", "K-2", "45,000원", "82,000원", "2027년 3월 1일", "P77", "2026년 11월 2일", "미배정"):
        assert text in html, text
    assert f'action="{CUSTOMERS}{seoyeon.pk}/open/"' in html


def test_it_opens_her_personal_data_with_a_reason_and_records_it(client, hana, seoyeon):
    client.force_login(hana)
    response = client.post(f"{CUSTOMERS}{seoyeon.pk}/open/", {"reason": "contact", "note": ""})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "김서연" in html
    assert "010-1234-5678" in html
    assert "서울특별시 강서구 공항대로 247" in html
    record = CustomerAccessRecord.objects.get()
    assert (record.user, record.username, record.action, record.customer, record.reason) == (
        hana,
        "hana",
        CustomerAccessRecord.Action.VIEW,
        seoyeon,
        "contact",
    )
    assert "김서연" not in client.get(f"{CUSTOMERS}{seoyeon.pk}/").content.decode(), "masked again on the next visit"
    assert CustomerAccessRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, "이유를 선택"),
        ({"reason": "nonsense"}, "올바르게 선택"),
        ({"reason": "other", "note": "  "}, "메모에 이유를"),
        ({"reason": "other", "note": "850101-2345678 확인"}, "주민등록번호"),
        ({"reason": "audit", "note": "８５０１０１ ２３４５６７８"}, "주민등록번호"),
        ({"reason": "audit", "note": "확인\x00"}, "null 문자"),
    ],
    ids=["no reason", "not a reason", "other without a note", "rrn", "rrn in wide digits", "null character"],
)
def test_it_shows_nothing_without_a_proper_reason(client, hana, seoyeon, data, expected):
    client.force_login(hana)
    response = client.post(f"{CUSTOMERS}{seoyeon.pk}/open/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert expected in html
    assert "김서연" not in html
    assert "010-1234-5678" not in html
    assert "공항대로" not in html
    assert not CustomerAccessRecord.objects.exists()


def test_it_asks_why_before_an_export(client, mina, seoyeon):
    client.force_login(mina)
    response = client.get(f"{CUSTOMERS}export/", {"main_line": "long_term", "q": "5678"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "1명" in html
    assert '<input type="hidden" name="main_line" value="long_term">' in html
    assert "김서연" not in html
    response = client.post(f"{CUSTOMERS}export/", {"main_line": "long_term", "q": "5678"})
    assert response.status_code == 200
    assert "이유를 고르세요" in response.content.decode()
    assert not CustomerAccessRecord.objects.exists()


def test_it_exports_the_filtered_list_unmasked_and_records_it(client, hana, book):
    client.force_login(hana)
    response = client.post(f"{CUSTOMERS}export/", {"reason": "assignment", "main_line": "long_term", "q": ""})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    content = b"".join(response.streaming_content).decode()
    assert content.startswith("\ufeff"), "Korean Excel needs the byte-order mark"
    rows = list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))
    assert rows[0][:3] == ["고객번호", "이름", "휴대전화"]
    assert [row[0] for row in rows[1:]] == ["C001", "C003"]
    assert rows[1][1:4] == ["김서연", "010-1234-5678", "서울특별시 강서구 공항대로 247"]
    assert rows[1][7:9] == ["127000", "2"]
    record = CustomerAccessRecord.objects.get()
    assert (record.action, record.reason, record.row_count, record.customer) == (
        CustomerAccessRecord.Action.EXPORT,
        "assignment",
        2,
        None,
    )
    assert record.filters == {"main_line": "long_term"}


def test_an_export_keeps_to_the_branch_and_records_no_search_words(client, mina, book):
    client.force_login(mina)
    response = client.post(f"{CUSTOMERS}export/", {"reason": "contact", "q": "5678", "branch": "999"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().removeprefix("\ufeff"))))
    assert [row[0] for row in rows[1:]] == ["C001"]
    record = CustomerAccessRecord.objects.get()
    assert record.row_count == 1
    assert record.filters == {"q": "…"}, "the search words are never recorded"
