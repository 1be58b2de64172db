import pytest

from recruiting.models import District, Province

pytestmark = pytest.mark.django_db


def test_the_migration_installs_every_district_of_seoul_and_gyeonggi():
    assert District.objects.filter(province=Province.SEOUL).count() == 25
    assert District.objects.filter(province=Province.GYEONGGI).count() == 31
    assert District.objects.filter(province=Province.GYEONGGI, name__endswith="군").count() == 3
