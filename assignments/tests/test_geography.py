"""Addresses, MOIS codes and recruiting districts all land on the right 시군구, and distances are sane."""

import unicodedata

import pytest

from assignments.geography import (
    CITY_DISTRICTS,
    SIGUNGU,
    distance_km,
    distance_matrix,
    sigungu_for_district,
    sigungu_from_address,
    sigungu_from_code,
)
from recruiting.regions import DISTRICTS

JONGNO = "11010"
SEOUL_JUNG = "11020"
MAPO = "11140"
SEOUL_GANGSEO = "11160"
SEOCHO = "11220"
GANGNAM = "11230"
INCHEON_JUNG = "23010"
INCHEON_DONG = "23020"
INCHEON_NAM = "23030"  # 미추홀구 since 2018-07
NAMDONG = "23050"
INCHEON_SEO = "23080"
GANGHWA = "23310"
SUWON = "31010"
JANGAN = "31011"
PALDAL = "31013"
YEONGTONG = "31014"
BUNDANG = "31023"
BUCHEON = "31050"
ILSAN_DONG = "31103"
ILSAN_SEO = "31104"
SUJI = "31193"
HWASEONG = "31240"
GYEONGGI_GWANGJU = "31250"
YEOJU = "31280"


def test_it_loads_the_77_units_of_the_data_and_6_city_level_units() -> None:
    assert len(SIGUNGU) == 83
    assert sum(1 for unit in SIGUNGU.values() if unit.sido == "서울특별시") == 25
    assert sum(1 for unit in SIGUNGU.values() if unit.sido == "인천광역시") == 10
    cities = {SIGUNGU[code].name for code in CITY_DISTRICTS}
    assert cities == {"수원시", "성남시", "안양시", "안산시", "고양시", "용인시"}


def test_it_labels_units_with_the_short_sido_name() -> None:
    assert SIGUNGU[GANGNAM].label == "서울 강남구"
    assert SIGUNGU[JANGAN].label == "경기 수원시 장안구"
    assert SIGUNGU[NAMDONG].label == "인천 남동구"
    assert SIGUNGU[SUWON].label == "경기 수원시"


def test_it_puts_a_city_at_the_mean_of_its_districts() -> None:
    districts = [SIGUNGU[code] for code in CITY_DISTRICTS[SUWON]]
    assert [d.name for d in districts] == ["수원시 장안구", "수원시 권선구", "수원시 팔달구", "수원시 영통구"]
    assert SIGUNGU[SUWON].lat == pytest.approx(sum(d.lat for d in districts) / 4, abs=1e-5)
    assert SIGUNGU[SUWON].lon == pytest.approx(sum(d.lon for d in districts) / 4, abs=1e-5)


def test_it_measures_distances_between_centres() -> None:
    assert 2 < distance_km(GANGNAM, SEOCHO) < 6
    assert 50 < distance_km(GANGNAM, GANGHWA) < 80
    assert distance_km(GANGNAM, GANGNAM) == 0
    assert distance_km(GANGNAM, SEOCHO) == distance_km(SEOCHO, GANGNAM)
    # 종로구 to 수원시 장안구 is about 31 km as the crow flies.
    assert distance_km(JONGNO, JANGAN) == pytest.approx(31, abs=3)


def test_it_builds_a_matrix_of_every_pair() -> None:
    matrix = distance_matrix([GANGNAM, SEOCHO, GANGHWA, GANGNAM])
    assert len(matrix) == 9
    assert matrix[(GANGNAM, GANGHWA)] == distance_km(GANGNAM, GANGHWA)
    assert matrix[(SEOCHO, SEOCHO)] == 0


def test_it_refuses_an_unknown_code_for_a_distance() -> None:
    with pytest.raises(KeyError):
        distance_km(GANGNAM, "99999")


ADDRESSES = [
    # Seoul, the ways people write it
    ("서울특별시 강남구 테헤란로 123", GANGNAM),
    ("서울 강남구 역삼동 823-1", GANGNAM),
    ("서울시 강남구 테헤란로 152", GANGNAM),
    ("서울특별시   강남구    테헤란로 123  ", GANGNAM),
    ("서울 특별시 마포구 월드컵북로 396", MAPO),
    ("서울강남구 역삼동 736", GANGNAM),
    ("서울특별시강남구테헤란로123", GANGNAM),
    ("서울,강남구,테헤란로 123", GANGNAM),
    ("(06236) 서울특별시 강남구 테헤란로 123", GANGNAM),
    ("[06236]서울 강남구 테헤란로 123", GANGNAM),
    ("06236 서울 강남구 테헤란로 123", GANGNAM),
    ("135-080 서울 강남구 역삼동 736", GANGNAM),
    ("대한민국 서울특별시 중구 세종대로 110", SEOUL_JUNG),
    ("서울 중구 을지로 100", SEOUL_JUNG),
    ("서울 강서구 공항대로 247", SEOUL_GANGSEO),
    ("서울 종로구 세종대로 209 (세종로)", JONGNO),
    (unicodedata.normalize("NFD", "서울특별시 강남구 테헤란로 123"), GANGNAM),
    # Gyeonggi
    ("경기도 수원시 장안구 정자동 111", JANGAN),
    ("경기 수원시 영통구 광교중앙로 140", YEONGTONG),
    ("경기 수원시 영통동 1000", SUWON),
    ("경기도 수원시 팔달구", PALDAL),
    ("경기 성남시 분당구 판교역로 1", BUNDANG),
    ("경기도 성남시분당구 판교역로 235", BUNDANG),
    ("경기도고양시일산동구 중앙로 1036", ILSAN_DONG),
    ("경기 고양시 일산서구 킨텍스로 217", ILSAN_SEO),
    ("경기 용인 수지구 포은대로 435", SUJI),
    ("경기 부천시 원미구 길주로 210", BUCHEON),
    ("경기도 부천시 소사구 경인로 1", BUCHEON),
    ("경기 부천 오정구 오정로 1", BUCHEON),
    ("경기 부천시 중동 1000", BUCHEON),
    ("경기 화성시 동탄구 동탄대로 1", HWASEONG),
    ("경기도 화성시 봉담읍 동화리 1", HWASEONG),
    ("경기 광주시 오포읍 신현리 1", GYEONGGI_GWANGJU),
    ("경기 광주 오포읍 신현리 1", GYEONGGI_GWANGJU),
    ("경기도 여주군 여주읍 1", YEOJU),
    # Incheon, its 2018 name, the names since and the 2026 reorganisation
    ("인천광역시 미추홀구 독정이로 95", INCHEON_NAM),
    ("인천 남구 주안동 1", INCHEON_NAM),
    ("인천 남동구 정각로 29", NAMDONG),
    ("인천광역시 중구 공항로 272", INCHEON_JUNG),
    ("인천 영종구 공항로 272", INCHEON_JUNG),
    ("인천 제물포구 신포로 1", INCHEON_DONG),
    ("인천 검단구 검단로 1", INCHEON_SEO),
    ("인천서구 검단로 1", INCHEON_SEO),
    # Without the 시도: only names no other 시도 of Korea uses
    ("강남구 역삼동 123", GANGNAM),
    ("강남구역삼동 123", GANGNAM),
    ("수원시 팔달구 효원로 1", PALDAL),
    ("수원 영통구 광교로 1", YEONGTONG),
    ("분당구 정자일로 95", BUNDANG),
    ("미추홀구 주안동", INCHEON_NAM),
    ("의정부시 시민로 1", "31030"),
    ("중구 을지로 1", None),
    ("중구", None),
    ("강서구 화곡동 1000", None),
    ("남구 주안동", None),
    ("광주시 오포읍 신현리 1", None),
    ("수원 영통동", None),
    # Other 시도, and units under the wrong 시도
    ("부산광역시 강서구 명지동 1", None),
    ("부산 해운대구 센텀중앙로 79", None),
    ("광주광역시 서구 내방로 111", None),
    ("광주 북구 용봉로 77", None),
    ("강원특별자치도 고성군 간성읍", None),
    ("세종특별자치시 한누리대로 2130", None),
    ("제주특별자치도 제주시 문연로 6", None),
    ("서울 수원시 장안구", None),
    ("경기 강남구 역삼동", None),
    ("서울 강남 역삼동", None),
    ("Seoul Gangnam-gu Teheran-ro 123", None),
    # Hostile input
    ("", None),
    ("   ", None),
    ("가나다라마바사" * 72, None),
    ("x" * 500, None),
    ("900101-1234567", None),
    ("<script>alert(1)</script>", None),
    ("<b>서울</b> 강남구", None),
    ("테헤란로 123", None),
]


@pytest.mark.parametrize(("address", "expected"), ADDRESSES)
def test_it_finds_the_sigungu_of_an_address(address: str, expected: str | None) -> None:
    assert sigungu_from_address(address) == expected


def test_it_ignores_what_is_not_text() -> None:
    assert sigungu_from_address(None) is None
    assert sigungu_from_address(11680) is None


MOIS_CODES = [
    ("11110", JONGNO),
    ("11140", SEOUL_JUNG),
    ("11680", GANGNAM),
    ("11500", SEOUL_GANGSEO),
    ("11740", "11250"),
    ("41111", JANGAN),
    ("41110", SUWON),
    ("41135", BUNDANG),
    ("41285", ILSAN_DONG),
    ("41190", BUCHEON),
    ("41192", BUCHEON),
    ("41194", BUCHEON),
    ("41196", BUCHEON),
    ("41590", HWASEONG),
    ("41597", HWASEONG),
    ("41610", GYEONGGI_GWANGJU),
    ("28110", INCHEON_JUNG),
    ("28177", INCHEON_NAM),
    ("28170", INCHEON_NAM),
    ("28710", GANGHWA),
    # 10 digits, separators, a spreadsheet's number
    ("4113510100", BUNDANG),
    ("41135-10100", BUNDANG),
    ("11680 10100", GANGNAM),
    (" 11680 ", GANGNAM),
    ("11680.0", GANGNAM),
    # Not one of ours, or not a code
    ("31110", None),  # 울산 중구 for MOIS (과천시 is 31110 only for KOSTAT)
    ("26440", None),  # 부산 강서구
    ("11010", None),  # a KOSTAT code
    ("99999", None),
    ("", None),
    ("1168", None),
    ("116801010", None),
    ("116801010000", None),
    ("11680A", None),
    ("１１６８０", None),
]


@pytest.mark.parametrize(("code", "expected"), MOIS_CODES)
def test_it_maps_a_mois_code(code: str, expected: str | None) -> None:
    assert sigungu_from_code(code) == expected


def test_it_reaches_every_unit_from_some_mois_code() -> None:
    reached = {sigungu_from_code(f"{prefix}{n:03d}") for prefix in ("11", "28", "41") for n in range(1000)} - {None}
    assert reached == set(SIGUNGU)


@pytest.mark.parametrize(
    ("province", "name"), [(province, name) for province, names in DISTRICTS.items() for name in names]
)
def test_it_maps_every_recruiting_district(province: str, name: str) -> None:
    code = sigungu_for_district(province, name)
    assert code is not None
    assert SIGUNGU[code].name == name


def test_it_maps_districts_to_city_level_units_and_refuses_unknown_ones() -> None:
    assert sigungu_for_district("gyeonggi", "수원시") == SUWON
    assert sigungu_for_district("gyeonggi", "부천시") == BUCHEON
    assert sigungu_for_district("seoul", "중구") == SEOUL_JUNG
    assert sigungu_for_district("seoul", "수원시") is None
    assert sigungu_for_district("busan", "중구") is None
    assert sigungu_for_district("seoul", "") is None
