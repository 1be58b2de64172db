"""Graduates ready for the pool: enrolled through the service, graduated through the state helper."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from assignments.models import BookImport
from assignments.services import book_import_run, book_import_start
from curriculum.models import Cohort, Enrollment
from curriculum.services import enrollment_enroll
from curriculum.tests.factories import make_accepted, make_graduate


def make_pool_graduate(cohort: Cohort, number: int, *, actor, registered: bool = False) -> Enrollment:
    """Return an enrollment of the cohort that has graduated, registered with the association if asked."""
    applicant = make_accepted(cohort.round, number, name="김하나")
    enrollment = enrollment_enroll(cohort=cohort, applicant=applicant, actor=actor)
    registration = {
        "exam_date": date(2027, 3, 20),
        "exam_passed": True,
        "registered_on": date(2027, 4, 10),
        "registration_number": f"R-{number}",
    }
    make_graduate(enrollment, actor=actor)
    if registered:
        Enrollment.objects.filter(pk=enrollment.pk).update(**registration)
    return Enrollment.objects.get(pk=enrollment.pk)


BOOK_HEADING = "고객번호,고객명,휴대폰,주소,계약번호,상품군,월보험료,갱신일,설계사코드,해촉일"


def book_csv(customers: list[tuple[str, str, int]], *, left_on: str = "2026-11-02") -> bytes:
    """Return a book file with one contract per customer: (customer number, address, monthly premium)."""
    lines = [BOOK_HEADING]
    for number, address, premium in customers:
        lines.append(f"{number},고객{number},,{address},K-{number},장기,{premium},,P1,{left_on}")
    return ("\n".join(lines) + "\n").encode()


def import_book(content: bytes, *, actor) -> BookImport:
    """Read a book file through the import services, the worker's part included, as HR would."""
    book_import, _created = book_import_start(upload=SimpleUploadedFile("book.csv", content), actor=actor)
    return book_import_run(import_id=book_import.pk)
