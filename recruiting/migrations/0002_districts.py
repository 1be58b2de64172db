"""Install the districts of Seoul and Gyeonggi; which branch serves each is left to staff."""

from django.db import migrations

from recruiting.regions import DISTRICTS


def install_districts(apps, schema_editor):
    District = apps.get_model("recruiting", "District")
    for province, names in DISTRICTS.items():
        for name in names:
            District.objects.get_or_create(province=province, name=name)


class Migration(migrations.Migration):
    dependencies = [("recruiting", "0001_initial")]

    operations = [migrations.RunPython(install_districts, migrations.RunPython.noop)]
