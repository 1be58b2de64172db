"""Move certificate PDFs out of the public media folder into the private storage, under random names.

Until now they lay under MEDIA_ROOT as `certificates/<number>-<verification code>.pdf`, both
printed on the paper, and the proxy serves MEDIA_ROOT to anyone.
"""

from django.core.files.storage import default_storage
from django.db import migrations, models, transaction

import curriculum.certificates.storage
from curriculum.certificates.storage import certificate_pdf_name, private_storage


def move_certificate_pdfs(apps, schema_editor):
    """Copy each public PDF into the private storage and point the row at the copy; delete the originals after commit.

    Deleting only after the commit keeps the originals, and the rows that still name them,
    intact if the migration fails half-way. A row whose file is not in the public folder
    (already moved, or lost) is left as it is.
    """
    Certificate = apps.get_model("curriculum", "Certificate")
    storage = private_storage()
    moved = []
    for certificate in Certificate.objects.exclude(pdf="").only("pk", "pdf").iterator():
        old_name = certificate.pdf.name
        if not default_storage.exists(old_name):
            continue
        with default_storage.open(old_name, "rb") as old:
            new_name = storage.save(certificate_pdf_name(certificate, old_name), old)
        Certificate.objects.filter(pk=certificate.pk).update(pdf=new_name)
        moved.append(old_name)
    transaction.on_commit(lambda: [default_storage.delete(name) for name in moved])


class Migration(migrations.Migration):
    dependencies = [
        ("curriculum", "0009_state_event_labels_from_subject"),
    ]

    operations = [
        migrations.AlterField(
            model_name="certificate",
            name="pdf",
            field=models.FileField(
                blank=True,
                storage=curriculum.certificates.storage.private_storage,
                upload_to=curriculum.certificates.storage.certificate_pdf_name,
                verbose_name="PDF",
            ),
        ),
        # Going back does not move the files back to the public folder; that would undo the fix.
        migrations.RunPython(move_certificate_pdfs, migrations.RunPython.noop),
    ]
