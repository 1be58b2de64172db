"""The customer book's writes: storing an uploaded list of orphaned contracts, and reading it
into the book in the worker.

An import is the whole book as of its date. Reading it has two passes: the file is checked
row by row into staging rows (`BookImportRow`, committed in chunks, so the progress bar
moves and memory stays bounded), then one transaction applies them with set-based writes —
customers and contracts upserted by their core-system numbers, contracts no longer listed
deleted, customers no longer listed marked as having left the book — and counts the
difference from the book before.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from itertools import groupby
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from assignments.book_import import BookFileError, BookRow, RowError, book_row_count, book_rows
from assignments.errors import BookError
from assignments.geography import SIGUNGU
from assignments.models import (
    BookImport,
    BookImportRow,
    BookImportStatus,
    Contract,
    Customer,
    CustomerAccessReason,
    CustomerAccessRecord,
    ProductLine,
)
from core.ledger import destruction_record
from core.states import state_change, state_start
from core.validators import text_refusal
from recruiting.models import ANONYMISED_NAME, District, Province

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

BOOK_FILE_TYPES = (".csv", ".xlsx")
STAGING_CHUNK = 2000
APPLY_CHUNK = 1000
IN_PROGRESS = [BookImportStatus.QUEUED, BookImportStatus.READING]
_LINE_ORDER = {line: index for index, line in enumerate(ProductLine)}
# What the destruction ledger names for a customer, and the rule that destroys her.
CUSTOMER = "customer"
CUSTOMER_LEFT_BOOK = "customer_left_book"
ANONYMISED_NUMBER_PREFIX = "파기-"
PROVINCES_BY_SIDO = {"서울특별시": Province.SEOUL, "경기도": Province.GYEONGGI}


def book_import_start(*, upload: File, actor: User) -> tuple[BookImport, bool]:
    """Store an uploaded book and queue its reading; return (import, created).

    The same file uploaded again returns its first import and reads nothing; a new file
    while another import is being read is refused, because each import's difference is
    counted against the book the one before it left.
    """
    if not upload.name.lower().endswith(BOOK_FILE_TYPES):
        raise BookError(_("Upload the book as a CSV or XLSX file."))
    if refusal := text_refusal(upload.name):
        raise BookError(refusal)
    digest = _sha256(upload)
    if existing := BookImport.objects.filter(sha256=digest).first():
        return existing, False
    if BookImport.objects.filter(status__in=IN_PROGRESS).exists():
        raise BookError(_("Another import is being read; upload this one when it has finished."))
    try:
        with transaction.atomic():
            book_import = BookImport(file_name=upload.name[:200], sha256=digest, uploaded_by=actor)
            book_import.file.save(upload.name, File(upload), save=False)
            book_import.save()
            state_start(book_import, actor=actor)
    except IntegrityError:
        # Two uploads at once: the same file twice (sha256), or two files (one in progress).
        if existing := BookImport.objects.filter(sha256=digest).first():
            return existing, False
        raise BookError(_("Another import is being read; upload this one when it has finished.")) from None
    import_id = book_import.pk
    transaction.on_commit(lambda: async_task(book_import_run, import_id=import_id))
    logger.info("Book import %s queued by %s", import_id, actor)
    return book_import, True


def book_import_run(*, import_id: int) -> BookImport:
    """Read a queued import into the book; a finished or failed one is left as it is.

    An import whose worker died while reading starts again from its file: the staging rows
    of the first attempt are deleted first, and nothing of the book was changed before the
    final transaction.
    """
    book_import = BookImport.objects.get(pk=import_id)
    if book_import.status not in IN_PROGRESS:
        return book_import
    try:
        with book_import.file.open("rb") as upload:
            total = book_row_count(upload, book_import.file_name)
    except BookFileError as error:
        return _fail(import_id, str(error))
    with transaction.atomic():
        book_import = BookImport.objects.select_for_update().get(pk=import_id)
        if book_import.status not in IN_PROGRESS:
            return book_import
        changes = {"rows_total": total, "rows_read": 0, "rows_refused": 0}
        if book_import.status == BookImportStatus.QUEUED:
            state_change(book_import, to=BookImportStatus.READING, actor=None, changes=changes)
        else:
            BookImport.objects.filter(pk=import_id).update(**changes)
    BookImportRow.objects.filter(book_import_id=import_id).delete()
    try:
        refused = _stage(book_import)
        with transaction.atomic():
            figures = _apply(book_import)
            book_import = BookImport.objects.select_for_update().get(pk=import_id)
            if refused:
                book_import.error_report.save("errors.csv", ContentFile(_error_report(refused)), save=False)
            state_change(
                book_import,
                to=BookImportStatus.DONE,
                actor=None,
                changes={**figures, "error_report": book_import.error_report, "finished_at": timezone.now()},
            )
    except BookFileError as error:
        book_import = _fail(import_id, str(error))
    except Exception:
        logger.exception("Book import %s failed", import_id)
        book_import = _fail(import_id, _("The file could not be read; nothing of the book was changed."))
        raise
    finally:
        BookImportRow.objects.filter(book_import_id=import_id).delete()
    logger.info("Book import %s: %s", import_id, book_import.status)
    return book_import


def _fail(import_id: int, message: str) -> BookImport:
    with transaction.atomic():
        book_import = BookImport.objects.select_for_update().get(pk=import_id)
        state_change(
            book_import,
            to=BookImportStatus.FAILED,
            actor=None,
            changes={"failure": message[:300], "finished_at": timezone.now()},
        )
    return book_import


def _sha256(upload: File) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _stage(book_import: BookImport) -> list[RowError]:
    """Check every row of the file into staging rows; return the refusals.

    A contract listed twice with the same values is one contract (Excel exports repeat
    rows); listed twice with different values, the second is refused, since the file
    cannot say which is true.
    """
    refused: list[RowError] = []
    seen: dict[str, int] = {}
    chunk: list[BookImportRow] = []
    read = 0
    with book_import.file.open("rb") as upload:
        for item in book_rows(upload, book_import.file_name):
            if isinstance(item, RowError):
                refused.append(item)
                continue
            read = item.line - 1
            fingerprint = hash(_fingerprint(item))
            if (earlier := seen.get(item.contract_number)) is not None:
                if earlier != fingerprint:
                    refused.append(
                        RowError(item.line, "계약번호", _("This contract is listed twice with different values."))
                    )
                continue
            seen[item.contract_number] = fingerprint
            chunk.append(_staging_row(book_import, item))
            if len(chunk) >= STAGING_CHUNK:
                _flush(book_import, chunk, read, refused)
                chunk = []
    _flush(book_import, chunk, book_import.rows_total, refused)
    return refused


def _fingerprint(row: BookRow) -> tuple:
    return (
        row.customer_number,
        row.name,
        row.mobile,
        row.address,
        row.product_line,
        row.monthly_premium,
        row.renews_on,
        row.planner_code,
        row.planner_left_on,
    )


def _staging_row(book_import: BookImport, row: BookRow) -> BookImportRow:
    return BookImportRow(
        book_import=book_import,
        line=row.line,
        customer_number=row.customer_number,
        name=row.name,
        mobile=row.mobile,
        address=row.address,
        sigungu=row.sigungu,
        contract_number=row.contract_number,
        product_line=row.product_line,
        monthly_premium=row.monthly_premium,
        renews_on=row.renews_on,
        planner_code=row.planner_code,
        planner_left_on=row.planner_left_on,
    )


def _flush(book_import: BookImport, chunk: list[BookImportRow], read: int, refused: list[RowError]) -> None:
    BookImportRow.objects.bulk_create(chunk)
    refused_rows = len({error.line for error in refused})
    BookImport.objects.filter(pk=book_import.pk).update(
        rows_read=min(read, book_import.rows_total), rows_refused=refused_rows
    )


def _apply(book_import: BookImport) -> dict[str, int]:
    """Apply the staged rows to the book; return the figures of the difference."""
    today = timezone.localdate()
    branches = _branch_by_sigungu()
    figures = Counter()
    staged = (
        BookImportRow.objects.filter(book_import=book_import)
        .order_by("customer_number", "line")
        .iterator(chunk_size=STAGING_CHUNK)
    )
    for customers in _batched(groupby(staged, key=lambda row: row.customer_number), APPLY_CHUNK):
        figures.update(_apply_customers(book_import, customers, branches))
    listed = BookImportRow.objects.filter(book_import=book_import)
    Contract.objects.filter(customer__last_import=book_import).exclude(
        number__in=listed.values("contract_number")
    ).delete()
    figures["customers_gone"] = Customer.objects.in_book().exclude(last_import=book_import).update(left_book_on=today)
    figures["customers"] = Customer.objects.filter(last_import=book_import).count()
    figures["contracts"] = Contract.objects.filter(customer__last_import=book_import).count()
    return dict(figures)


def _batched(groups: Iterable, size: int) -> Iterator[list[tuple[str, list[BookImportRow]]]]:
    batch = []
    for number, rows in groups:
        batch.append((number, list(rows)))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _apply_customers(
    book_import: BookImport, customers: list[tuple[str, list[BookImportRow]]], branches: dict[str, int]
) -> Counter:
    """Upsert one chunk of customers and their contracts; return what changed."""
    figures = Counter()
    numbers = [number for number, _rows in customers]
    before = Customer.objects.in_bulk(numbers, field_name="number")
    upserts = []
    for number, rows in customers:
        # The first row of a customer gives her name and address; later rows only add contracts.
        first = rows[0]
        premium_by_line = Counter()
        for row in rows:
            premium_by_line[row.product_line] += row.monthly_premium
        old = before.get(number)
        if old is None or old.left_book_on is not None:
            figures["customers_new"] += 1
        elif old.address != first.address:
            figures["addresses_changed"] += 1
        upserts.append(
            Customer(
                number=number,
                name=first.name,
                mobile=first.mobile,
                address=first.address,
                sigungu=first.sigungu,
                branch_id=branches.get(first.sigungu),
                # Ties go to the line listed first in ProductLine, so the same rows give the same line.
                main_line=max(premium_by_line, key=lambda line: (premium_by_line[line], -_LINE_ORDER[line])),
                premium=sum(premium_by_line.values()),
                orphaned_on=min(row.planner_left_on for row in rows),
                first_import=book_import,
                last_import=book_import,
                left_book_on=None,
            )
        )
    Customer.objects.bulk_create(
        upserts,
        update_conflicts=True,
        unique_fields=["number"],
        update_fields=[
            "name",
            "mobile",
            "address",
            "sigungu",
            "branch",
            "main_line",
            "premium",
            "orphaned_on",
            "last_import",
            "left_book_on",
        ],
    )
    ids = dict(Customer.objects.filter(number__in=numbers).values_list("number", "pk"))
    Contract.objects.bulk_create(
        [
            Contract(
                customer_id=ids[number],
                number=row.contract_number,
                product_line=row.product_line,
                monthly_premium=row.monthly_premium,
                renews_on=row.renews_on,
                planner_code=row.planner_code,
                planner_left_on=row.planner_left_on,
            )
            for number, rows in customers
            for row in rows
        ],
        update_conflicts=True,
        unique_fields=["number"],
        update_fields=["customer", "product_line", "monthly_premium", "renews_on", "planner_code", "planner_left_on"],
    )
    return figures


def _branch_by_sigungu() -> dict[str, int]:
    """Return the id of the branch that serves each 시군구 code, from the districts' serving branches.

    Districts are Seoul's 구 and Gyeonggi's 시군: a Gyeonggi 구 ("수원시 장안구") is served
    by the branch of its city. Incheon has no district, so no branch.
    """
    serving = {
        (province, name): branch_id
        for province, name, branch_id in District.objects.filter(branch__isnull=False).values_list(
            "province", "name", "branch_id"
        )
    }
    branches = {}
    for code, unit in SIGUNGU.items():
        province = PROVINCES_BY_SIDO.get(unit.sido)
        if province and (branch_id := serving.get((province, unit.name.split()[0]))):
            branches[code] = branch_id
    return branches


def _error_report(refused: list[RowError]) -> bytes:
    """Return the refusals as a CSV that Korean Excel opens (UTF-8 with a byte-order mark)."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([_("Row"), _("Column"), _("Why it was refused")])
    for error in sorted(refused, key=lambda error: error.line):
        writer.writerow([error.line, error.column, error.message])
    return "\ufeff".encode() + text.getvalue().encode()


def customer_anonymise(*, customer_id: int, rule: str, now: datetime, replaying: bool = False) -> bool:
    """Destroy what names a customer who left the book: her name, mobile, address, numbers, contracts and
    what her consultants wrote about her.

    The row stays, with her district, branch and premium, so that the runs that placed her
    still count true. Return False when she was destroyed already. The ledger line goes to
    disk inside the transaction (core.ledger), so a restored backup destroys her again.
    """
    with transaction.atomic():
        customer = Customer.objects.select_for_update().filter(pk=customer_id, anonymised_at=None).first()
        if customer is None:
            return False
        customer.contracts.all().delete()
        # Her consultants' notes and promises are about her; the contacts themselves stay, for the counts.
        customer.contacts.exclude(note="", next_step="").update(note="", next_step="")
        customer.name = ANONYMISED_NAME
        customer.mobile = ""
        customer.address = ""
        # The core system's number would name her again; a number of our own keeps the row unique.
        customer.number = f"{ANONYMISED_NUMBER_PREFIX}{customer.pk}"
        customer.anonymised_at = now
        customer.save(update_fields=["name", "mobile", "address", "number", "anonymised_at"])
        destruction_record(kind=CUSTOMER, object_id=customer.pk, rule=rule, at=now, append_to_file=not replaying)
    return True


def customers_destroy_due(*, now: datetime | None = None) -> int:
    """Destroy every customer who left the book CUSTOMER_RECORD_RETENTION_DAYS ago; return how many."""
    now = now or timezone.now()
    cutoff = timezone.localdate(now) - timedelta(days=settings.CUSTOMER_RECORD_RETENTION_DAYS)
    due = Customer.objects.filter(anonymised_at=None, left_book_on__lt=cutoff).values_list("pk", flat=True)
    destroyed = sum(customer_anonymise(customer_id=pk, rule=CUSTOMER_LEFT_BOOK, now=now) for pk in due.iterator())
    logger.info("Retention: destroyed the data of %d customers who left the book", destroyed)
    return destroyed


def customer_access_records_prune(*, now: datetime | None = None) -> int:
    """Delete the customer access records older than ACCESS_RECORD_RETENTION_DAYS; return how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ACCESS_RECORD_RETENTION_DAYS)
    deleted, _per_model = CustomerAccessRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def customer_access_reason_check(*, reason: str, note: str) -> None:
    """Refuse an "Other" without a note, and a note the log may not keep (a null character, an RRN)."""
    if reason == CustomerAccessReason.OTHER and not note.strip():
        raise ValidationError({"note": _("Explain the reason in the note when you choose “Other”.")})
    if refusal := text_refusal(note):
        raise ValidationError({"note": refusal})


def customer_access_record_write(
    *,
    user: User,
    action: str,
    reason: str,
    note: str = "",
    customer: Customer | None = None,
    filters: dict | None = None,
    row_count: int | None = None,
) -> CustomerAccessRecord:
    """Record that `user` opened a customer's personal data or exported a list, and why (DESIGN §2).

    The rules hold whichever way the reason arrives: a reason from the list, a note for
    "Other", no text the log may not keep; a refusal raises ValidationError and records nothing.
    """
    customer_access_reason_check(reason=reason, note=note)
    record = CustomerAccessRecord(
        user=user,
        username=user.get_username(),
        action=action,
        customer=customer,
        reason=reason,
        note=note,
        filters=filters or {},
        row_count=row_count,
    )
    record.full_clean(exclude=["user", "customer"])
    record.save()
    return record
