"""HR uploads the certificate seal into its own collection, and the seal comes from nowhere else."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PillowImage
from wagtail.images.models import Image
from wagtail.models import Collection

from core.roles import Role, install_role_groups, seal_collection_get
from curriculum.models import CertificateSettings
from recruiting.tests.factories import make_staff

SETTINGS_URL = "/admin/settings/curriculum/certificatesettings/{pk}/"


def _png(name: str = "seal.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    PillowImage.new("RGBA", (40, 40), (200, 0, 0, 255)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def certificate_settings(db) -> CertificateSettings:
    return CertificateSettings.load()


@pytest.fixture
def other_image(media) -> Image:
    """A picture the editors put in the root collection for the website."""
    return Image.objects.create(title="행사 사진", file=_png("event.png"), collection=Collection.get_first_root_node())


def _post_settings(client, certificate_settings, seal: Image | None):
    return client.post(
        SETTINGS_URL.format(pk=certificate_settings.pk),
        {"issuer_name": "CS RC 교육센터장", "seal": seal.pk if seal else ""},
    )


def test_it_installs_the_seal_collection_once(roles):
    install_role_groups()
    assert Collection.objects.filter(name="수료증 직인").count() == 1


def test_hr_uploads_a_seal_into_its_collection_and_sets_it(client, hana, media, certificate_settings):
    client.force_login(hana)
    seal_collection = seal_collection_get()
    response = client.post(
        "/admin/images/add/", {"title": "센터장 직인", "file": _png(), "collection": seal_collection.pk}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    seal = Image.objects.get(title="센터장 직인")
    assert seal.collection == seal_collection

    response = _post_settings(client, certificate_settings, seal)
    assert response.status_code == 302
    assert CertificateSettings.load().seal == seal


def test_hr_cannot_upload_elsewhere(client, hana, media):
    client.force_login(hana)
    root = Collection.get_first_root_node()
    client.post("/admin/images/add/", {"title": "딴 곳", "file": _png(), "collection": root.pk})
    assert not Image.objects.filter(title="딴 곳", collection=root).exists()


def test_hr_is_not_offered_images_of_other_collections(client, hana, other_image):
    client.force_login(hana)
    page = client.get("/admin/images/chooser/").content.decode()
    assert "행사 사진" not in page


def test_a_seal_from_another_collection_is_refused_and_nothing_is_saved(
    client, hana, media, certificate_settings, other_image
):
    seal = Image.objects.create(title="센터장 직인", file=_png(), collection=seal_collection_get())
    certificate_settings.seal = seal
    certificate_settings.save()
    client.force_login(hana)
    response = client.post(
        SETTINGS_URL.format(pk=certificate_settings.pk), {"issuer_name": "다른 이름", "seal": other_image.pk}
    )
    assert response.status_code == 200
    assert "직인은 ‘수료증 직인’ 컬렉션에서 고르세요." in response.content.decode()
    saved = CertificateSettings.load()
    assert (saved.seal, saved.issuer_name) == (seal, "CS RC 교육센터장")


@pytest.mark.parametrize("role", [Role.EDITOR, Role.RECRUITER, Role.BRANCH_MANAGER, Role.TRAINER])
def test_other_roles_cannot_change_the_setting(client, roles, media, certificate_settings, role):
    seal = Image.objects.create(title="센터장 직인", file=_png(), collection=seal_collection_get())
    client.force_login(make_staff("someone", role))
    response = _post_settings(client, certificate_settings, seal)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] == "/admin/"
    assert CertificateSettings.load().seal is None
