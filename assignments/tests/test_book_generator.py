"""Generated books go through the import like real ones: every row is accepted, the same seed gives the same book."""

import pytest

from assignments.book_generator import book_csv
from assignments.models import BookImportStatus, Customer
from assignments.tests.factories import import_book


@pytest.mark.django_db
def test_a_generated_book_is_imported_without_a_refused_row(hana):
    content = book_csv(400, seed=7)
    assert content == book_csv(400, seed=7)
    book_import = import_book(content, actor=hana)
    assert book_import.status == BookImportStatus.DONE
    assert book_import.rows_refused == 0
    assert book_import.customers == 400
    located = Customer.objects.exclude(sigungu="").count()
    assert located >= 390, "about one address in a hundred is written so that no district can be read"
