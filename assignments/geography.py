"""Where a customer or a consultant lives, as a 시군구 of Seoul, Gyeonggi or Incheon, and how far apart two are.

Everything is keyed by the KOSTAT 2018 code of `data/sigungu-centroids.csv` (boundaries as of
2018: Incheon's 남구 is still 남구, 부천시 has no 구, 화성시 has no 구). Addresses, MOIS codes
and the recruiting districts are all turned into that one key, so the assignment engine
compares like with like. Pure Python: no database, no Django.
"""

import csv
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SEOUL = "서울특별시"
GYEONGGI = "경기도"
INCHEON = "인천광역시"

_SIDO_SHORT = {SEOUL: "서울", GYEONGGI: "경기", INCHEON: "인천"}

_CENTROIDS_CSV = Path(__file__).resolve().parent / "data" / "sigungu-centroids.csv"

_EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Sigungu:
    """A 시군구 (or a Gyeonggi 구) with the centre of its area."""

    code: str
    sido: str
    name: str
    lat: float
    lon: float

    @property
    def label(self) -> str:
        """Return the short way people name it: "서울 강남구", "경기 수원시 장안구"."""
        return f"{_SIDO_SHORT[self.sido]} {self.name}"


def _city_code(district_code: str) -> str:
    """Return the code of the city a Gyeonggi 구 belongs to: 31011 (수원시 장안구) -> 31010.

    KOSTAT numbers the 구 of a city as the city's code plus 1..9, so the city itself ends
    in 0. The CSV has no row with such a code (it lists the 구, not their city), so these
    city-level codes cannot collide with a real unit of the table; `_load` checks it.
    """
    return district_code[:4] + "0"


def _load() -> tuple[dict[str, Sigungu], dict[str, tuple[str, ...]]]:
    """Read the centroids and add one city-level unit for each Gyeonggi city that has 구."""
    with _CENTROIDS_CSV.open(encoding="utf-8", newline="") as lines:
        rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
    units = {
        row["code"]: Sigungu(
            code=row["code"], sido=row["sido"], name=row["sigungu"], lat=float(row["lat"]), lon=float(row["lon"])
        )
        for row in rows
    }
    districts_of_city: dict[str, list[Sigungu]] = {}
    for unit in units.values():
        if " " in unit.name:
            districts_of_city.setdefault(_city_code(unit.code), []).append(unit)
    for city_code, districts in districts_of_city.items():
        city_names = {district.name.split(" ")[0] for district in districts}
        if city_code in units or len(city_names) != 1:
            raise ValueError(f"Cannot make a city-level unit {city_code} from {[d.name for d in districts]}")
        units[city_code] = Sigungu(
            code=city_code,
            sido=districts[0].sido,
            name=city_names.pop(),
            lat=round(sum(d.lat for d in districts) / len(districts), 5),
            lon=round(sum(d.lon for d in districts) / len(districts), 5),
        )
    city_districts = {city: tuple(sorted(d.code for d in districts)) for city, districts in districts_of_city.items()}
    return units, city_districts


# Every unit by its KOSTAT 2018 code: the 77 rows of the CSV and the 6 city-level units of
# 수원시 (31010), 성남시 (31020), 안양시 (31040), 안산시 (31090), 고양시 (31100) and 용인시
# (31190), whose centre is the mean of their 구 centres. An address that names such a city
# but not its 구 ("경기 수원시 영통동 ...") resolves to the city-level unit.
SIGUNGU, CITY_DISTRICTS = _load()


# ---------------------------------------------------------------------------------------------
# Distances


@cache
def distance_km(a: str, b: str) -> float:
    """Return the great-circle distance in km between the centres of two units (KOSTAT codes).

    An unknown code raises KeyError. There are fewer than 7,000 ordered pairs, so every
    answer stays cached.
    """
    if a == b:
        return 0.0
    p, q = SIGUNGU[a], SIGUNGU[b]
    lat1, lat2 = math.radians(p.lat), math.radians(q.lat)
    half_dlat = (lat2 - lat1) / 2
    half_dlon = math.radians(q.lon - p.lon) / 2
    h = math.sin(half_dlat) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(half_dlon) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def distance_matrix(codes: Iterable[str]) -> dict[tuple[str, str], float]:
    """Return the distance of every ordered pair of the given codes (both orders and each with itself)."""
    unique = list(dict.fromkeys(codes))
    return {(a, b): distance_km(a, b) for a in unique for b in unique}


# ---------------------------------------------------------------------------------------------
# Names


def _name_index() -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """Return {시도: {name: code}} and {city code: {구 name: code}} for every unit of the table."""
    by_sido: dict[str, dict[str, str]] = {SEOUL: {}, GYEONGGI: {}, INCHEON: {}}
    districts_of: dict[str, dict[str, str]] = {}
    for unit in SIGUNGU.values():
        city, _, district = unit.name.partition(" ")
        if district:
            by_sido[unit.sido][district] = unit.code
            districts_of.setdefault(_city_code(unit.code), {})[district] = unit.code
        else:
            by_sido[unit.sido][city] = unit.code
    return by_sido, districts_of


_NAMES, _DISTRICTS_OF = _name_index()
_CODE_BY_LABEL = {unit.label: unit.code for unit in SIGUNGU.values()}


def _code_of(label: str) -> str:
    """Return the code of the unit with this label ("경기 부천시"); the tables below are written in labels."""
    return _CODE_BY_LABEL[label]


# Names written today that the 2018 data knows under another name, or not at all.
_RENAMED: dict[str, dict[str, str]] = {
    INCHEON: {
        # 남구 was renamed 미추홀구 on 2018-07-01, after the data was drawn.
        "미추홀구": _code_of("인천 남구"),
        # The 2026-07 reorganisation of 중구/동구/서구: each new 구 maps to the nearest 2018
        # unit. 영종구 is the island part of the old 중구 (where the 2018 중구 centre lies);
        # 검단구 is the north of the old 서구. 제물포구 joins the mainland part of the old 중구
        # with the old 동구: its centre lies about 2 km from the 2018 동구 centre but about
        # 13 km from the 2018 중구 centre (out on 영종도), so 동구 is the nearer unit.
        "제물포구": _code_of("인천 동구"),
        "영종구": _code_of("인천 중구"),
        "검단구": _code_of("인천 서구"),
    },
    GYEONGGI: {
        # 군 that became 시: 포천 and 양주 in 2003, 여주 in 2013.
        "포천군": _code_of("경기 포천시"),
        "양주군": _code_of("경기 양주시"),
        "여주군": _code_of("경기 여주시"),
    },
}

# 구 that the 2018 data does not have: 부천시 abolished its 구 in 2016 and restored them in
# 2024-01; 화성시 created its 구 in 2026-02. Both cities are one unit in the data.
_DISTRICTS_SINCE_2018: dict[str, tuple[str, ...]] = {
    _code_of("경기 부천시"): ("원미구", "소사구", "오정구"),
    _code_of("경기 화성시"): ("만세구", "효행구", "병점구", "동탄구"),
}

for _sido, _renamed in _RENAMED.items():
    _NAMES[_sido].update(_renamed)
for _city, _district_names in _DISTRICTS_SINCE_2018.items():
    for _district_name in _district_names:
        _NAMES[GYEONGGI][_district_name] = _city
        _DISTRICTS_OF.setdefault(_city, {})[_district_name] = _city

# Gyeonggi cities are often written without 시 once the 도 is given ("경기 부천 원미구"). Without
# the 도, such a short name counts only when one of the city's 구 follows ("수원 영통구").
_SHORT_CITY_NAMES = {name[:-1]: code for name, code in _NAMES[GYEONGGI].items() if name.endswith("시")}

# A name written without its 시도 resolves only when no other 시도 of Korea has a unit of that
# name: 중구, 동구, 서구 and 남구 exist in several metropolitan cities, 강서구 also in Busan,
# and "광주시" is how many people write 광주광역시.
_NAMES_ELSEWHERE = frozenset({"중구", "동구", "서구", "남구", "강서구", "광주시"})


def _names_without_sido() -> dict[str, str]:
    """Return {name: code} for the names that point to one unit whatever the 시도."""
    seen: dict[str, set[str]] = {}
    for names in _NAMES.values():
        for name, code in names.items():
            seen.setdefault(name, set()).add(code)
    return {name: codes.pop() for name, codes in seen.items() if len(codes) == 1 and name not in _NAMES_ELSEWHERE}


_UNIQUE_NAMES = _names_without_sido()

# How an address may begin: the 시도 as people write it. None marks a 시도 outside our three;
# "광주"/"광주시" is also None: without "경기" it usually means 광주광역시.
_SIDO_NAMES: dict[str, str | None] = {
    "서울": SEOUL,
    "서울시": SEOUL,
    "서울특별시": SEOUL,
    "경기": GYEONGGI,
    "경기도": GYEONGGI,
    "인천": INCHEON,
    "인천시": INCHEON,
    "인천광역시": INCHEON,
    **dict.fromkeys(
        (
            "부산",
            "부산시",
            "부산광역시",
            "대구",
            "대구시",
            "대구광역시",
            "광주",
            "광주시",
            "광주광역시",
            "대전",
            "대전시",
            "대전광역시",
            "울산",
            "울산시",
            "울산광역시",
            "세종",
            "세종시",
            "세종특별자치시",
            "강원",
            "강원도",
            "강원특별자치도",
            "충북",
            "충청북도",
            "충남",
            "충청남도",
            "전북",
            "전라북도",
            "전북특별자치도",
            "전남",
            "전라남도",
            "경북",
            "경상북도",
            "경남",
            "경상남도",
            "제주",
            "제주도",
            "제주특별자치도",
        )
    ),
}
# For addresses written without spaces ("서울강남구"): the longest 시도 spelling first.
_SIDO_PREFIXES = tuple(sorted(_SIDO_NAMES, key=len, reverse=True))
# "서울 특별시 강남구": the kind of the 시도 written as a word of its own.
_SIDO_KIND_WORDS = frozenset({"특별시", "광역시", "특별자치시", "도", "특별자치도", "시"})
_COUNTRY_WORDS = frozenset({"대한민국", "한국"})

# A leading postal code: "(06236)", "[06236]", "06236", "우) 06236", "135-080" (the old six digits).
_POSTAL_CODE = re.compile(r"\s*(?:우편번호\s*:?|우\)|우)?\s*[(\[]?\s*(?:\d{5}|\d{3}-\d{3})(?!\d)\s*[)\]]?[\s,:]*")

# Only the beginning of an address is read; a longer value is junk or a pasted document.
_MAX_ADDRESS_CHARS = 200
# The longest unit name written without spaces is 7 characters ("고양시일산동구").
_MAX_NAME_CHARS = 12
_NAME_ENDINGS = frozenset("시군구")


def _match(word: str, names: dict[str, str]) -> tuple[str | None, str]:
    """Return the code of the unit named at the start of `word` and what follows the name in it.

    "강남구" and "강남구역삼동" both give 강남구's code; the rest is "" or "역삼동".
    """
    code = names.get(word)
    if code is not None:
        return code, ""
    for end in range(1, min(len(word), _MAX_NAME_CHARS)):
        if word[end] in _NAME_ENDINGS:
            code = names.get(word[: end + 1])
            if code is not None:
                return code, word[end + 1 :]
    return None, ""


def _resolve(sido: str | None, words: list[str]) -> str | None:
    """Return the code named by the first words of an address, within `sido` (None: the 시도 was omitted)."""
    if not words:
        return None
    names = _NAMES[sido] if sido else _UNIQUE_NAMES
    code, rest = _match(words[0], names)
    following = rest or (words[1] if len(words) > 1 else "")
    if code is None:
        code = _SHORT_CITY_NAMES.get(words[0])
        if code is None:
            return None
        if sido is None:
            district, _ = _match(following, _DISTRICTS_OF.get(code, {}))
            return district
    districts = _DISTRICTS_OF.get(code)
    if districts and following:
        district, _ = _match(following, districts)
        if district is not None:
            return district
    return code


def sigungu_from_address(address: str) -> str | None:
    """Return the KOSTAT code of the 시군구 of a Korean address, or None when it is not clearly one of ours.

    Reads the 시도 (서울 / 서울시 / 서울특별시, 경기 / 경기도, 인천 / 인천광역시 ...) and the
    시군구 as people write them, with or without spaces, after an optional postal code. An
    address of another 시도, an unknown or ambiguous name ("중구 ..." without its 시도) gives
    None. A Gyeonggi city written without its 구 gives the city-level unit.
    """
    if not isinstance(address, str):
        return None
    text = address[:_MAX_ADDRESS_CHARS]
    if not unicodedata.is_normalized("NFC", text):
        # Text from macOS often arrives decomposed (한 as ᄒ + ᅡ + ᆫ).
        text = unicodedata.normalize("NFC", text)
    postal_code = _POSTAL_CODE.match(text)
    if postal_code:
        text = text[postal_code.end() :]
    words = text.replace(",", " ").strip(" \"'").split(None, 5)
    if words and words[0] in _COUNTRY_WORDS:
        del words[0]
    if not words:
        return None
    first = words[0]
    if first in _SIDO_NAMES:
        sido = _SIDO_NAMES[first]
        if sido is None:
            return None
        rest = words[1:]
        if rest and rest[0] in _SIDO_KIND_WORDS:
            del rest[0]
        return _resolve(sido, rest)
    code = _resolve(None, words)
    if code is not None:
        return code
    for prefix in _SIDO_PREFIXES:
        if first.startswith(prefix):
            sido = _SIDO_NAMES[prefix]
            return _resolve(sido, [first[len(prefix) :], *words[1:]]) if sido else None
    return None


# ---------------------------------------------------------------------------------------------
# MOIS codes

# The MOIS 행정표준코드 of every unit (the first five digits of its 10-digit 법정동코드 or
# 행정동코드), mapped to the unit of the table. Public administrative facts; the new 구 of
# Incheon (2026-07) are left out until their codes are confirmed, and come back as None.
_MOIS_LABELS: dict[str, str] = {
    "11110": "서울 종로구",
    "11140": "서울 중구",
    "11170": "서울 용산구",
    "11200": "서울 성동구",
    "11215": "서울 광진구",
    "11230": "서울 동대문구",
    "11260": "서울 중랑구",
    "11290": "서울 성북구",
    "11305": "서울 강북구",
    "11320": "서울 도봉구",
    "11350": "서울 노원구",
    "11380": "서울 은평구",
    "11410": "서울 서대문구",
    "11440": "서울 마포구",
    "11470": "서울 양천구",
    "11500": "서울 강서구",
    "11530": "서울 구로구",
    "11545": "서울 금천구",
    "11560": "서울 영등포구",
    "11590": "서울 동작구",
    "11620": "서울 관악구",
    "11650": "서울 서초구",
    "11680": "서울 강남구",
    "11710": "서울 송파구",
    "11740": "서울 강동구",
    "28110": "인천 중구",
    "28140": "인천 동구",
    "28170": "인천 남구",  # until 2018-06
    "28177": "인천 남구",  # 미추홀구 since 2018-07
    "28185": "인천 연수구",
    "28200": "인천 남동구",
    "28237": "인천 부평구",
    "28245": "인천 계양구",
    "28260": "인천 서구",
    "28710": "인천 강화군",
    "28720": "인천 옹진군",
    "41110": "경기 수원시",
    "41111": "경기 수원시 장안구",
    "41113": "경기 수원시 권선구",
    "41115": "경기 수원시 팔달구",
    "41117": "경기 수원시 영통구",
    "41130": "경기 성남시",
    "41131": "경기 성남시 수정구",
    "41133": "경기 성남시 중원구",
    "41135": "경기 성남시 분당구",
    "41150": "경기 의정부시",
    "41170": "경기 안양시",
    "41171": "경기 안양시 만안구",
    "41173": "경기 안양시 동안구",
    "41190": "경기 부천시",
    "41210": "경기 광명시",
    "41220": "경기 평택시",
    "41250": "경기 동두천시",
    "41270": "경기 안산시",
    "41271": "경기 안산시 상록구",
    "41273": "경기 안산시 단원구",
    "41280": "경기 고양시",
    "41281": "경기 고양시 덕양구",
    "41285": "경기 고양시 일산동구",
    "41287": "경기 고양시 일산서구",
    "41290": "경기 과천시",
    "41310": "경기 구리시",
    "41360": "경기 남양주시",
    "41370": "경기 오산시",
    "41390": "경기 시흥시",
    "41410": "경기 군포시",
    "41430": "경기 의왕시",
    "41450": "경기 하남시",
    "41460": "경기 용인시",
    "41461": "경기 용인시 처인구",
    "41463": "경기 용인시 기흥구",
    "41465": "경기 용인시 수지구",
    "41480": "경기 파주시",
    "41500": "경기 이천시",
    "41550": "경기 안성시",
    "41570": "경기 김포시",
    "41590": "경기 화성시",
    "41610": "경기 광주시",
    "41630": "경기 양주시",
    "41650": "경기 포천시",
    "41670": "경기 여주시",
    "41800": "경기 연천군",
    "41820": "경기 가평군",
    "41830": "경기 양평군",
}
_MOIS_TO_KOSTAT = {mois: _code_of(label) for mois, label in _MOIS_LABELS.items()}

# Codes 41190-41199 are all 부천시 and 41590-41599 all 화성시 (the next codes, 41210 and
# 41610, belong to other cities), so the 구 of 부천시 (41192/41194/41196 since 2024, other
# numbers before 2016) and the 구 of 화성시 (2026) resolve by prefix.
_MOIS_PREFIX_TO_KOSTAT = {"4119": _code_of("경기 부천시"), "4159": _code_of("경기 화성시")}

_CODE_SEPARATORS = str.maketrans("", "", " -_./\t")
_SPREADSHEET_NUMBER = re.compile(r"(\d+)\.0+")


def sigungu_from_code(code: str) -> str | None:
    """Return the KOSTAT code of the unit of a MOIS 시군구 code, or None when it is not one of ours.

    Takes the 5-digit 시군구 code or a 10-digit 법정동/행정동 code, with or without separators
    ("41135", "41135-10100", "4113510100"). A KOSTAT code is not a MOIS code and gives None
    (or a wrong unit: 31110 is 과천시 for KOSTAT and 울산 중구 for MOIS, which gives None).
    """
    text = str(code).strip()
    number = _SPREADSHEET_NUMBER.fullmatch(text)
    if number:
        # A spreadsheet that read the column as numbers writes 41135 as "41135.0".
        text = number.group(1)
    digits = text.translate(_CODE_SEPARATORS)
    if len(digits) not in (5, 10) or not digits.isascii() or not digits.isdigit():
        return None
    prefix = digits[:5]
    return _MOIS_TO_KOSTAT.get(prefix) or _MOIS_PREFIX_TO_KOSTAT.get(prefix[:4])


# ---------------------------------------------------------------------------------------------
# Recruiting districts

_PROVINCE_SIDO = {"seoul": SEOUL, "gyeonggi": GYEONGGI, "incheon": INCHEON}


def sigungu_for_district(province: str, name: str) -> str | None:
    """Return the KOSTAT code of a recruiting district ("seoul", "강남구"; "gyeonggi", "수원시").

    A Gyeonggi city with 구 gives its city-level unit; an unknown province or name gives None.
    """
    sido = _PROVINCE_SIDO.get(province)
    if sido is None or not isinstance(name, str):
        return None
    return _resolve(sido, name.split())
