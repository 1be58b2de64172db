"""Reading the core system's list of orphaned contracts: CSV (UTF-8 or CP949) or XLSX, one
contract per row, checked row by row.

Nothing here writes to the database: `book_rows` turns a file into checked rows or the
reasons a row is refused, one at a time, so a file of any size is read in bounded memory
(openpyxl in read-only mode, CSV through an incremental decoder). The services store them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO

import openpyxl
from django.utils.translation import gettext as _

from assignments.geography import sigungu_from_address, sigungu_from_code
from assignments.models import ProductLine
from core.validators import looks_like_rrn
from recruiting.phones import InvalidMobile, normalize_mobile

# Each column, with the headings people use for it in Korean spreadsheets and in English.
# A heading is compared without spaces, brackets or case, so "휴대폰 번호" finds `mobile`.
COLUMNS: dict[str, tuple[str, ...]] = {
    "customer_number": ("고객번호", "customer_number", "customerno"),
    "name": ("고객명", "성명", "이름", "name"),
    "mobile": ("휴대폰", "휴대폰번호", "휴대전화", "휴대전화번호", "연락처", "mobile"),
    "address": ("주소", "address"),
    "sigungu_code": ("시군구코드", "법정동코드", "행정동코드", "sigungu_code"),
    "contract_number": ("계약번호", "증권번호", "contract_number"),
    "product_line": ("상품군", "보종", "product_line"),
    "monthly_premium": ("월보험료", "보험료", "monthly_premium"),
    "renews_on": ("갱신일", "만기일", "갱신만기일", "다음갱신일", "renews_on"),
    "planner_code": ("설계사코드", "모집인코드", "설계사", "planner_code"),
    "planner_left_on": ("해촉일", "퇴사일", "설계사해촉일", "planner_left_on"),
}
REQUIRED = (
    "customer_number",
    "name",
    "address",
    "contract_number",
    "product_line",
    "monthly_premium",
    "planner_code",
    "planner_left_on",
)
PRODUCT_LINES: dict[str, str] = {
    "자동차": ProductLine.AUTO,
    "자동차보험": ProductLine.AUTO,
    "auto": ProductLine.AUTO,
    "장기": ProductLine.LONG_TERM,
    "장기보험": ProductLine.LONG_TERM,
    "건강": ProductLine.LONG_TERM,
    "상해": ProductLine.LONG_TERM,
    "장기(건강·상해)": ProductLine.LONG_TERM,
    "long_term": ProductLine.LONG_TERM,
    "일반": ProductLine.GENERAL,
    "일반보험": ProductLine.GENERAL,
    "화재": ProductLine.GENERAL,
    "일반(화재)": ProductLine.GENERAL,
    "general": ProductLine.GENERAL,
}
MAX_PREMIUM = 100_000_000
MAX_LENGTHS = {"customer_number": 30, "name": 50, "address": 200, "contract_number": 30, "planner_code": 20}
# Korean Excel saves "CSV" in CP949; a file that is not UTF-8 in its first megabyte is read as CP949.
SNIFF_BYTES = 1 << 20
_HEADING_NOISE = re.compile(r"[\s()\[\]/·._-]+")
_DATE = re.compile(r"^(\d{4})[-./년\s]*(\d{1,2})[-./월\s]*(\d{1,2})일?$")
_NUMBER_NOISE = re.compile(r"[,\s원₩]")


class BookFileError(ValueError):
    """The file as a whole cannot be read (not a table, a required column missing); the message says why."""


@dataclass(frozen=True, slots=True)
class BookRow:
    """One checked contract row."""

    line: int
    customer_number: str
    name: str
    mobile: str
    address: str
    sigungu: str
    contract_number: str
    product_line: str
    monthly_premium: int
    renews_on: date | None
    planner_code: str
    planner_left_on: date


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one row was refused; it names the row and the column, never the value (it may be personal)."""

    line: int
    column: str
    message: str


def book_rows(upload: IO[bytes], file_name: str) -> Iterator[BookRow | RowError]:
    """Yield each data row of the file checked, as a `BookRow` or the `RowError`s that refuse it.

    Raise `BookFileError` when the file cannot be read at all.
    """
    table = _xlsx_table(upload) if file_name.lower().endswith(".xlsx") else _csv_table(upload)
    try:
        heading = next(table)
    except StopIteration:
        raise BookFileError(_("The file is empty.")) from None
    positions = _column_positions(heading)
    for line, values in enumerate(table, start=2):
        if not any(value not in (None, "") for value in values):
            continue
        yield from _checked(line, {column: _cell(values, index) for column, index in positions.items()})


def book_row_count(upload: IO[bytes], file_name: str) -> int:
    """Return the number of lines after the heading, cheaply, for the progress bar (blank lines included)."""
    if file_name.lower().endswith(".xlsx"):
        workbook = _workbook(upload)
        try:
            return max((workbook.worksheets[0].max_row or 1) - 1, 0)
        finally:
            workbook.close()
    count = sum(chunk.count(b"\n") for chunk in iter(lambda: upload.read(SNIFF_BYTES), b""))
    return max(count - 1, 0)


def _csv_table(upload: IO[bytes]) -> Iterator[list[str]]:
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "cp949"
    text = io.TextIOWrapper(upload, encoding=encoding, newline="")
    try:
        yield from csv.reader(text)
    except UnicodeDecodeError:
        raise BookFileError(_("The file is neither UTF-8 nor CP949 text; save it again as CSV or XLSX.")) from None
    except csv.Error:
        raise BookFileError(_("The file is not a readable CSV table.")) from None
    finally:
        # Leave the upload open for its owner, who closes it.
        if not upload.closed:
            text.detach()


def _workbook(upload: IO[bytes]) -> openpyxl.Workbook:
    try:
        return openpyxl.load_workbook(upload, read_only=True, data_only=True)
    except Exception:
        # openpyxl raises many kinds (zipfile, KeyError, InvalidFileException) for a file that is not a workbook.
        raise BookFileError(_("The file is not a readable XLSX workbook.")) from None


def _xlsx_table(upload: IO[bytes]) -> Iterator[tuple]:
    workbook = _workbook(upload)
    try:
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()


def _heading_key(text: object) -> str:
    return _HEADING_NOISE.sub("", str(text or "")).lower()


_HEADINGS = {_heading_key(heading): column for column, headings in COLUMNS.items() for heading in headings}
_PRODUCT_LINE_KEYS = {_heading_key(name): line for name, line in PRODUCT_LINES.items()}


def _column_positions(heading) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, text in enumerate(heading):
        column = _HEADINGS.get(_heading_key(text))
        if column and column not in positions:
            positions[column] = index
    missing = [COLUMNS[column][0] for column in REQUIRED if column not in positions]
    if missing:
        raise BookFileError(_("The file lacks the columns: %(columns)s.") % {"columns": ", ".join(missing)})
    return positions


def _cell(values, index: int):
    return values[index] if index < len(values) else None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _checked(line: int, cells: dict) -> Iterator[BookRow | RowError]:
    errors: list[RowError] = []

    def refuse(column: str, message: str) -> None:
        errors.append(RowError(line, COLUMNS[column][0], message))

    text = {column: _text(value) for column, value in cells.items()}
    for column in REQUIRED:
        if not text[column]:
            refuse(column, _("This column is required."))
    for column, limit in MAX_LENGTHS.items():
        if len(text.get(column, "")) > limit:
            refuse(column, _("Longer than %(limit)d characters.") % {"limit": limit})
    for column in ("name", "address", "customer_number", "contract_number", "planner_code"):
        if looks_like_rrn(text.get(column, "")):
            refuse(column, _("Looks like a resident registration number, which is never stored."))

    mobile = ""
    if raw_mobile := text.get("mobile", ""):
        try:
            mobile = normalize_mobile(raw_mobile)
        except InvalidMobile:
            refuse("mobile", _("Not a Korean mobile number (010-1234-5678)."))

    sigungu = ""
    if code := text.get("sigungu_code", ""):
        sigungu = sigungu_from_code(code) or ""
        if not sigungu:
            refuse("sigungu_code", _("Not a district code of Seoul, Gyeonggi or Incheon."))
    elif text.get("address"):
        # An address that names no known 시군구 is kept: the customer is planned as "region unknown".
        sigungu = sigungu_from_address(text["address"]) or ""

    product_line = _PRODUCT_LINE_KEYS.get(_heading_key(text.get("product_line", "")))
    if product_line is None and text.get("product_line"):
        refuse("product_line", _("Use one of the product lines: car, long-term, general."))

    premium = _premium(text.get("monthly_premium", ""))
    if premium is None and text.get("monthly_premium"):
        refuse("monthly_premium", _("Write the premium in won, e.g. 45000."))

    renews_on = _date(cells.get("renews_on"))
    if renews_on is None and _text(cells.get("renews_on")):
        refuse("renews_on", _("Write the date as 2026-12-31."))
    left_on = _date(cells.get("planner_left_on"))
    if left_on is None and _text(cells.get("planner_left_on")):
        refuse("planner_left_on", _("Write the date as 2026-12-31."))

    if errors:
        yield from errors
        return
    yield BookRow(
        line=line,
        customer_number=text["customer_number"],
        name=text["name"],
        mobile=mobile,
        address=text["address"],
        sigungu=sigungu,
        contract_number=text["contract_number"],
        product_line=product_line,
        monthly_premium=premium,
        renews_on=renews_on,
        planner_code=text["planner_code"],
        planner_left_on=left_on,
    )


def _premium(text: str) -> int | None:
    digits = _NUMBER_NOISE.sub("", text)
    if digits.endswith(".0"):
        digits = digits[:-2]
    if not digits.isdigit():
        return None
    value = int(digits)
    return value if value <= MAX_PREMIUM else None


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = _DATE.match(text)
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None
