"""Where certificate PDFs live and how they leave: a storage no URL maps to, names nobody can guess,
and a response that sends the file only from a view that has checked who asks.
"""

import secrets
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header


def private_storage() -> Storage:
    """Return the storage of PRIVATE_MEDIA_ROOT, which no URL serves (the FileField's `storage`)."""
    return storages["private"]


def certificate_pdf_name(instance: object, filename: str) -> str:
    """Return a random name for a certificate PDF: never its number or verification code, which are printed on it."""
    return f"certificates/{secrets.token_hex(16)}.pdf"


def private_pdf_response(file: FieldFile, *, filename: str, as_attachment: bool) -> HttpResponse:
    """Return a response that sends a PDF of the private storage under `filename`.

    With PRIVATE_MEDIA_ACCEL_REDIRECT set, the body stays empty and nginx sends the file
    from its internal location, so no web worker is held while a slow phone downloads.
    """
    prefix = settings.PRIVATE_MEDIA_ACCEL_REDIRECT
    if not prefix:
        return FileResponse(
            file.open("rb"), as_attachment=as_attachment, filename=filename, content_type="application/pdf"
        )
    response = HttpResponse(content_type="application/pdf")
    response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(file.name)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    return response
