"""The consent notices every installation starts with; editors change them in the admin."""

from recruiting.models import ConsentNotice

APPLICATION_ITEMS = (
    "성명, 휴대전화번호, 이메일, 출생연도, 거주 지역(시도·시군구), 희망 지점, 지원 경로, "
    "지원 동기(선택), 상담 희망 시간(선택)"
)

# What the retention rules of assignments.retention do, with the default periods of the
# settings; an installation that changes a period changes this notice in the admin too.
APPLICATION_RETENTION = (
    "불합격, 지원 철회 또는 모집 종료로 전형이 끝난 날부터 180일이 지나면 지체 없이 파기합니다"
    "(인재풀 등록에 동의하면 동의한 날부터 1년). 모집이 끝나고 60일이 지나도록 결과가 정해지지 않은 "
    "지원서는 모집 종료로 마감합니다. 교육에 입과하면 교육 기록으로 보관하고, 교육 또는 활동이 끝난 "
    "날부터 3년이 지나면 파기합니다."
)
# The wording before the retention rules covered every state; a notice still saying it is updated.
PREVIOUS_APPLICATION_RETENTION = (
    "불합격 또는 지원 철회가 확정된 날부터 180일이 지나면 지체 없이 파기합니다. "
    "합격하여 교육에 입과하면 교육·위촉 기록으로 보관합니다."
)

DEFAULT_NOTICES = [
    {
        "key": "application",
        "title": "개인정보 수집·이용 동의",
        "is_required": True,
        "purpose": "CS RC 채용 전형(지원 접수, 지원 상담, 면접, 결과 안내) 진행",
        "items": APPLICATION_ITEMS,
        "retention": APPLICATION_RETENTION,
        "refusal": "동의를 거부할 권리가 있습니다. 다만 동의하지 않으시면 지원서를 접수할 수 없습니다.",
        "sort_order": 1,
    },
    {
        "key": "talent-pool",
        "title": "인재풀 등록 동의",
        "is_required": False,
        "purpose": "이번 모집 결과와 관계없이 다음 모집 일정 안내",
        "items": "성명, 휴대전화번호, 이메일, 거주 지역, 희망 지점",
        "retention": "동의한 날부터 1년",
        "refusal": "동의하지 않아도 지원과 전형에는 아무 영향이 없습니다.",
        "sort_order": 2,
    },
    {
        "key": "marketing",
        "title": "채용 설명회·행사 안내 수신 동의",
        "is_required": False,
        "purpose": "채용 설명회와 지점 행사 안내(이메일·문자)",
        "items": "성명, 휴대전화번호, 이메일",
        "retention": "동의를 철회할 때까지, 최대 2년",
        "refusal": "동의하지 않아도 지원과 전형에는 아무 영향이 없습니다.",
        "sort_order": 3,
    },
]


def install_default_notices() -> int:
    """Create the notices that do not exist yet; return how many were created."""
    created = 0
    for data in DEFAULT_NOTICES:
        if not ConsentNotice.objects.filter(key=data["key"]).exists():
            ConsentNotice(**data).save()
            created += 1
    return created
