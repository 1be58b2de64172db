"""Generated books of orphaned customers, for the demo and the benchmarks: realistic Korean names,
addresses written the ways people write them over Seoul, Gyeonggi and Incheon, a product mix,
premiums and renewal dates. The same seed gives the same book.

The rows come out in the import's documented columns (`assignments.book_import.COLUMNS`),
so a generated book goes through the same import path as a real one.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import openpyxl

from assignments.geography import CITY_DISTRICTS, SIGUNGU
from recruiting.phones import InvalidMobile, normalize_mobile

HEADINGS = ["고객번호", "고객명", "휴대폰", "주소", "계약번호", "상품군", "월보험료", "갱신일", "설계사코드", "해촉일"]
SURNAMES = ["김"] * 21 + ["이"] * 15 + ["박"] * 8 + ["최"] * 5 + ["정"] * 5 + list("강조윤장임한오서신권황안송전홍")
GIVEN = (
    "서연 민지 지현 수빈 예은 하은 지원 유진 은지 현정 미경 정희 영숙 순자 경희 혜진 지영 수진 민정 은영 "
    "민준 서준 도윤 예준 시우 하준 지호 준서 현우 성민 영호 정훈 상철 동현 재원 태희 승연 윤서 다은 채원"
).split()
SHORT_SIDO = {
    "서울특별시": ("서울", "서울특별시", "서울시"),
    "경기도": ("경기", "경기도"),
    "인천광역시": ("인천", "인천광역시"),
}
ROADS = ["중앙로", "시민로", "문화로", "공원로", "역전로", "학교길", "새마을로", "은행나무길", "한빛로", "하늘길"]
# Product lines in the mix a non-life book has: (import name, share, premium range in won a month).
LINES = [("자동차", 0.45, (40_000, 120_000)), ("장기", 0.40, (30_000, 250_000)), ("일반", 0.15, (5_000, 50_000))]
UNREADABLE_ADDRESS_SHARE = 0.01


def book_rows(
    customers: int, *, seed: int = 0, today: date | None = None, near: frozenset[str] = frozenset()
) -> Iterator[list[str]]:
    """Yield the contract rows (without the heading) of a book of `customers` customers.

    Customers live mostly in Seoul, then Gyeonggi, then Incheon; nine in ten live in the
    districts `near` when it is given (the demo's branch).
    """
    rng = random.Random(seed)
    today = today or date.today()
    # Real 시군구 only: the city-wide units exist for addresses that name no 구.
    districts = [unit for unit in SIGUNGU.values() if unit.code not in CITY_DISTRICTS]
    weights = [6 if unit.sido == "서울특별시" else 3 if unit.sido == "경기도" else 1 for unit in districts]
    if near:
        total = sum(weights)
        weights = [total * 9 if unit.code in near else weight for unit, weight in zip(districts, weights, strict=True)]
    planners = max(1, customers // 40)
    for number in range(1, customers + 1):
        unit = rng.choices(districts, weights)[0]
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        mobile = "" if rng.random() < 0.05 else _mobile(rng)
        address = _address(rng, unit)
        planner = f"P{rng.randrange(planners):05d}"
        left_on = today - timedelta(days=rng.randint(0, 60))
        for contract in range(rng.choice((1, 1, 1, 2, 2, 3))):
            line, _share, (low, high) = rng.choices(LINES, [line[1] for line in LINES])[0]
            premium = rng.randrange(low, high, 1000)
            renews_on = today + timedelta(days=rng.randint(1, 365)) if line != "장기" or rng.random() < 0.3 else None
            yield [
                f"C{number:08d}",
                name,
                mobile,
                address,
                f"K{number:08d}-{contract + 1}",
                line,
                str(premium),
                renews_on.isoformat() if renews_on else "",
                planner,
                left_on.isoformat(),
            ]


def _mobile(rng: random.Random) -> str:
    """Return a mobile number the import accepts: libphonenumber leaves some blocks unassigned (010-5970…)."""
    while True:
        mobile = f"010-{rng.randint(2000, 9999)}-{rng.randint(1000, 9999)}"
        try:
            normalize_mobile(mobile)
        except InvalidMobile:
            continue
        return mobile


def _address(rng: random.Random, unit) -> str:
    if rng.random() < UNREADABLE_ADDRESS_SHARE:
        return "주소 확인 필요"
    sido = rng.choice(SHORT_SIDO[unit.sido])
    road = f"{rng.choice(ROADS)}{rng.randint(1, 90)}길 {rng.randint(1, 200)}"
    if rng.random() < 0.3:
        return f"{sido} {unit.name} {road}, {rng.randint(101, 1520)}호"
    return f"{sido} {unit.name} {road}"


def book_csv(
    customers: int,
    *,
    seed: int = 0,
    encoding: str = "utf-8",
    today: date | None = None,
    near: frozenset[str] = frozenset(),
) -> bytes:
    """Return a whole generated book as CSV bytes (UTF-8, or CP949 as Korean Excel saves it)."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADINGS)
    writer.writerows(book_rows(customers, seed=seed, today=today, near=near))
    return text.getvalue().encode(encoding)


def book_write(path: Path, customers: int, *, seed: int = 0, today: date | None = None) -> int:
    """Write a generated book to a .csv or .xlsx file, streaming; return the number of contract rows."""
    rows = 0
    if path.suffix.lower() == ".xlsx":
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(HEADINGS)
        for row in book_rows(customers, seed=seed, today=today):
            sheet.append(row)
            rows += 1
        workbook.save(path)
        return rows
    with path.open("w", newline="", encoding="utf-8") as output:
        writer = csv.writer(output)
        writer.writerow(HEADINGS)
        for row in book_rows(customers, seed=seed, today=today):
            writer.writerow(row)
            rows += 1
    return rows
