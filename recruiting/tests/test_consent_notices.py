"""Consent notices are versioned: each change of wording is a new, immutable version."""

import pytest

from recruiting.consent_defaults import DEFAULT_NOTICES, install_default_notices
from recruiting.models import ConsentNotice, ConsentNoticeVersion

pytestmark = pytest.mark.django_db


def test_installing_the_defaults_twice_is_the_same_as_once():
    assert install_default_notices() == len(DEFAULT_NOTICES)
    assert install_default_notices() == 0
    assert ConsentNoticeVersion.objects.count() == len(DEFAULT_NOTICES)
    assert ConsentNotice.objects.filter(is_required=True).count() == 1


def test_editing_the_wording_makes_a_new_version_and_keeps_the_old():
    install_default_notices()
    notice = ConsentNotice.objects.get(key="application")
    notice.purpose = "채용 전형 진행"
    notice.save()
    assert notice.version == 2
    assert list(notice.versions.values_list("number", "purpose")) == [
        (1, DEFAULT_NOTICES[0]["purpose"]),
        (2, "채용 전형 진행"),
    ]


def test_saving_without_a_change_of_wording_keeps_the_version():
    install_default_notices()
    notice = ConsentNotice.objects.get(key="marketing")
    notice.sort_order = 9
    notice.is_active = False
    notice.save()
    assert notice.version == 1
    assert notice.versions.count() == 1


def test_a_version_cannot_be_changed():
    install_default_notices()
    version = ConsentNoticeVersion.objects.first()
    version.purpose = "바꿔치기"
    with pytest.raises(ValueError, match="immutable"):
        version.save()
