"""Importing the book of orphaned customers: the file's forms, bad rows, duplicates, re-import and the diff."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assignments.errors import BookError
from assignments.models import BookImport, BookImportRow, BookImportStatus, Contract, Customer, ProductLine
from assignments.services import book_import_start

HEADING = "고객번호,고객명,휴대폰,주소,계약번호,상품군,월보험료,갱신일,설계사코드,해촉일"
ROWS = [
    "C001,김서연,010-1234-5678,서울특별시 강서구 공항대로 247,K-1,자동차,45000,2027-03-01,P77,2026-11-02",
    "C001,김서연,010-1234-5678,서울특별시 강서구 공항대로 247,K-2,장기,82000,,P77,2026-11-02",
    "C002,박민지,01098765432,경기 수원시 장안구 정조로 1,K-3,일반,12000,2027.01.15,P78,2026.10.30",
    'C003,이하은,,인천 미추홀구 주안로 10,K-4,장기(건강·상해),"130,000",20270610,P78,20261030',
]


def _csv(*rows: str, heading: str = HEADING, encoding: str = "utf-8") -> bytes:
    return ("\n".join([heading, *rows]) + "\n").encode(encoding)


def _upload(content: bytes, name: str = "book.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture
def run_import(hana, django_capture_on_commit_callbacks):
    """Upload a file as HR and let the (synchronous) worker read it; return the import."""

    def run(content: bytes, name: str = "book.csv") -> BookImport:
        with django_capture_on_commit_callbacks(execute=True):
            book_import, _created = book_import_start(upload=_upload(content, name), actor=hana)
        return BookImport.objects.get(pk=book_import.pk)

    return run


@pytest.mark.django_db
def test_it_reads_a_book_into_customers_and_contracts(run_import, gangseo):
    book_import = run_import(_csv(*ROWS))
    assert book_import.status == BookImportStatus.DONE
    assert (book_import.customers, book_import.contracts, book_import.customers_new) == (3, 4, 3)
    seoyeon = Customer.objects.get(number="C001")
    assert seoyeon.mobile == "01012345678"
    assert seoyeon.masked_name == "김*연"
    assert seoyeon.masked_mobile == "010-****-5678"
    assert seoyeon.branch == gangseo
    assert (seoyeon.main_line, seoyeon.premium) == (ProductLine.LONG_TERM, 127000)
    assert seoyeon.orphan_deadline == date(2026, 11, 30)
    assert Customer.objects.get(number="C003").premium == 130000
    assert Contract.objects.get(number="K-3").renews_on == date(2027, 1, 15)
    assert not BookImportRow.objects.exists(), "staging rows hold customers' data and must not outlive the import"
    assert list(book_import.events.values_list("to_status", flat=True)) == ["queued", "reading", "done"]


@pytest.mark.django_db
def test_it_reads_cp949_csv_as_korean_excel_saves_it(run_import):
    book_import = run_import(_csv(*ROWS, encoding="cp949"))
    assert book_import.status == BookImportStatus.DONE
    assert Customer.objects.get(number="C002").name == "박민지"


@pytest.mark.django_db
def test_it_reads_xlsx(run_import):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    headings = [
        "고객 번호",
        "고객명",
        "휴대폰 번호",
        "주소",
        "계약번호",
        "상품군",
        "월 보험료",
        "만기일",
        "설계사코드",
        "해촉일",
    ]
    sheet.append(headings)
    address = "서울 강남구 테헤란로 1"
    sheet.append(
        ["C010", "최유나", "010-2222-3333", address, "K-10", "자동차", 51000, date(2027, 2, 1), "P1", date(2026, 9, 1)]
    )
    content = io.BytesIO()
    workbook.save(content)
    book_import = run_import(content.getvalue(), "book.xlsx")
    assert book_import.status == BookImportStatus.DONE, book_import.failure
    customer = Customer.objects.get(number="C010")
    assert customer.contracts.get().renews_on == date(2027, 2, 1)
    assert customer.sigungu


@pytest.mark.django_db
def test_it_refuses_bad_rows_and_reports_them_without_their_values(run_import):
    bad = [
        "C020,,010-1234-5678,서울 강서구,K-20,자동차,1000,,P1,2026-11-01",  # no name
        "C021,정다은,02-123-4567,서울 강서구,K-21,자동차,1000,,P1,2026-11-01",  # not a mobile
        "C022,한지민,,서울 강서구,K-22,생명,1000,,P1,2026-11-01",  # unknown product line
        "C023,오세영,,서울 강서구,K-23,자동차,만원,,P1,2026-11-01",  # premium in words
        "C024,윤아름,,서울 강서구,K-24,자동차,1000,2027-02-30,P1,2026-11-01",  # no such date
        "C025,850101-2345678,,서울 강서구,K-25,자동차,1000,,P1,2026-11-01",  # an RRN as the name
        "C026,<script>alert(1)</script>" + "가" * 60 + ",,서울 강서구,K-26,자동차,1000,,P1,2026-11-01",
    ]
    book_import = run_import(_csv(ROWS[0], *bad))
    assert book_import.status == BookImportStatus.DONE
    assert book_import.rows_refused == len(bad)
    assert list(Customer.objects.values_list("number", flat=True)) == ["C001"]
    report = book_import.error_report.open("rb").read().decode("utf-8-sig")
    assert "행" in report.splitlines()[0]
    for line in range(3, 3 + len(bad)):
        assert f"\n{line}," in report
    # The report names rows, never their values.
    assert "850101" not in report
    assert "정다은" not in report


@pytest.mark.django_db
def test_it_fails_a_file_without_the_required_columns_and_changes_nothing(run_import):
    book_import = run_import(_csv("C1,김서연", heading="고객번호,고객명"))
    assert book_import.status == BookImportStatus.FAILED
    assert "주소" in book_import.failure
    assert not Customer.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name"),
    [(b"", "book.csv"), (b"\x00\xff\xfe garbage", "book.xlsx"), (b"PK\x03\x04 not a zip", "book.xlsx")],
)
def test_it_fails_an_unreadable_file_with_a_korean_reason(run_import, content, name):
    book_import = run_import(content, name)
    assert book_import.status == BookImportStatus.FAILED
    assert book_import.failure
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_it_refuses_other_file_types(hana):
    with pytest.raises(BookError):
        book_import_start(upload=_upload(b"x", "book.pdf"), actor=hana)
    assert not BookImport.objects.exists()


@pytest.mark.django_db
def test_it_merges_repeated_rows_and_refuses_conflicting_ones(run_import):
    conflicting = ROWS[0].replace("45000", "46000")
    book_import = run_import(_csv(ROWS[0], ROWS[0], conflicting))
    assert book_import.contracts == 1
    assert book_import.rows_refused == 1
    assert Contract.objects.get(number="K-1").monthly_premium == 45000


@pytest.mark.django_db
def test_the_same_file_twice_is_one_import(run_import):
    first = run_import(_csv(*ROWS))
    again = run_import(_csv(*ROWS))
    assert again.pk == first.pk
    assert BookImport.objects.count() == 1


@pytest.mark.django_db
def test_a_new_import_counts_the_difference_and_keeps_assignments(run_import, member):
    run_import(_csv(*ROWS))
    Customer.objects.filter(number="C002").update(consultant=member, pinned_to=member)
    moved = ROWS[2].replace("경기 수원시 장안구 정조로 1", "경기 수원시 팔달구 효원로 1")
    newcomer = "C004,정예린,010-5555-6666,서울 양천구 목동로 1,K-5,자동차,30000,,P79,2026-11-20"
    second = run_import(_csv(ROWS[0], ROWS[1], moved, newcomer))
    assert (second.customers_new, second.customers_gone, second.addresses_changed) == (1, 1, 1)
    assert Customer.objects.get(number="C003").left_book_on is not None
    assert set(Customer.objects.in_book().values_list("number", flat=True)) == {"C001", "C002", "C004"}
    kept = Customer.objects.get(number="C002")
    assert (kept.consultant, kept.pinned_to) == (member, member), "an import never undoes an assignment or a pin"
    assert kept.first_import != second
    assert kept.last_import == second
    # A contract that is no longer listed has ended.
    third = run_import(_csv(ROWS[0], moved, newcomer))
    assert not Contract.objects.filter(number="K-2").exists()
    assert Customer.objects.get(number="C001").premium == 45000
    assert third.customers_gone == 0


@pytest.mark.django_db
def test_an_import_is_refused_while_another_is_read(hana):
    book_import_start(upload=_upload(_csv(*ROWS)), actor=hana)  # queued; the worker has not run it
    with pytest.raises(BookError):
        book_import_start(upload=_upload(_csv(ROWS[0])), actor=hana)


@pytest.mark.django_db
def test_it_refuses_a_file_named_with_a_registration_number(hana):
    with pytest.raises(BookError, match="주민등록번호"):
        book_import_start(upload=_upload(_csv(*ROWS), "850101-2345678 명부.csv"), actor=hana)
    assert not BookImport.objects.exists()
