"""The default CS RC curriculum (13 weeks), installed once by `manage.py setup` and then edited as data.

The four areas are those of the training the program describes, plus the preparation for
the non-life insurance (손해보험) solicitor exam and the registration with 손해보험협회.
(title, area, from week, to week, pass mark or None for completion, required)
"""

DEFAULT_CURRICULUM_NAME = "CS RC 기본 과정"
DEFAULT_CURRICULUM_DESCRIPTION = (
    "입과 후 3개월(13주) 동안 보험과 금융지식 일반, 고객과 소통하는 노하우, 고객관리, "
    "영업시스템 활용법(태블릿 모바일 영업지원시스템 포함)을 배우고 "
    "손해보험 설계사 자격시험과 손해보험협회 등록을 준비합니다."
)
DEFAULT_MODULES = [
    ("손해보험의 기초와 상품 이해(자동차·장기·일반)", "insurance_finance", 1, 2, 60, True),
    ("금융 일반: 예금·투자·세금의 기초", "insurance_finance", 2, 3, 60, True),
    ("보험 약관 읽기와 보장 분석", "insurance_finance", 3, 4, 60, True),
    ("고객 응대와 전화 상담의 기본", "communication", 4, 5, None, True),
    ("경청과 니즈 파악 실습", "communication", 5, 6, None, True),
    ("담당자가 바뀐 고객의 마음 헤아리기", "communication", 6, 6, None, True),
    ("계약 유지 관리와 보장점검", "customer_management", 7, 8, 70, True),
    ("고객 정보 보호와 개인정보 보호법", "customer_management", 8, 8, 80, True),
    ("영업시스템 활용법", "sales_system", 9, 10, None, True),
    ("태블릿 모바일 영업지원시스템 실습", "sales_system", 10, 11, 70, True),
    ("선배 컨설턴트와 고객 동행", "sales_system", 11, 12, None, False),
    ("손해보험 설계사 자격시험 모의고사", "licensing_exam", 11, 13, 70, True),
]

# Default wording of earlier versions -> its replacement. `manage.py setup` rewrites an
# installed default curriculum where a text still reads exactly as shipped; anything an
# editor changed is left alone.
RETIRED_WORDING = {
    "생명보험의 기초와 상품 이해": DEFAULT_MODULES[0][0],
    "생명보험 설계사 자격시험 모의고사": DEFAULT_MODULES[-1][0],
    (
        "입과 후 3개월(13주) 동안 보험과 금융지식 일반, 고객과 소통하는 노하우, 고객관리, "
        "영업시스템 활용법(태블릿 모바일 영업지원시스템 포함)을 배우고 설계사 자격시험을 준비합니다."
    ): DEFAULT_CURRICULUM_DESCRIPTION,
}
