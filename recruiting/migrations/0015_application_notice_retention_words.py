"""The application's consent notice says what now happens in every state, as a new version.

Only a notice still carrying the original wording is changed: an editor's own wording is
theirs to keep. Applicants who consented keep pointing at the version they saw.
"""

from django.db import migrations

PREVIOUS = (
    "불합격 또는 지원 철회가 확정된 날부터 180일이 지나면 지체 없이 파기합니다. "
    "합격하여 교육에 입과하면 교육·위촉 기록으로 보관합니다."
)
CURRENT = (
    "불합격, 지원 철회 또는 모집 종료로 전형이 끝난 날부터 180일이 지나면 지체 없이 파기합니다"
    "(인재풀 등록에 동의하면 동의한 날부터 1년). 모집이 끝나고 60일이 지나도록 결과가 정해지지 않은 "
    "지원서는 모집 종료로 마감합니다. 교육에 입과하면 교육 기록으로 보관하고, 교육 또는 활동이 끝난 "
    "날부터 3년이 지나면 파기합니다."
)
VERSIONED_FIELDS = ["title", "is_required", "purpose", "items", "retention", "refusal"]


def forwards(apps, schema_editor):
    ConsentNotice = apps.get_model("recruiting", "ConsentNotice")
    ConsentNoticeVersion = apps.get_model("recruiting", "ConsentNoticeVersion")
    for notice in ConsentNotice.objects.filter(key="application", retention=PREVIOUS):
        notice.retention = CURRENT
        notice.version += 1
        notice.save(update_fields=["retention", "version"])
        ConsentNoticeVersion.objects.create(
            notice=notice, number=notice.version, **{field: getattr(notice, field) for field in VERSIONED_FIELDS}
        )


class Migration(migrations.Migration):
    dependencies = [("recruiting", "0014_applications_lapse")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
