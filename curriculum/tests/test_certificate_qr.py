"""The certificate's QR code: encoded once, exactly as reportlab encodes it, drawn where it always was,
read back as the verification URL."""

import io
import os
import shutil
import string
import subprocess
from datetime import date
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageOps
from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel, QRUtil
from reportlab.lib.units import mm

from curriculum.certificates import renderer
from curriculum.certificates.renderer import CertificateData, CertificateRenderer, _lost_points, _QRCode, qr_modules

URL = "https://recruit.example.com/certificates/verify/ABCD2345EFGH/"
DPI = 200
TOOLS = ("pdftoppm", "zbarimg")


def _data(**changes) -> CertificateData:
    values = {
        "number": "제 2027-0042 호",
        "holder_name": "김민진",
        "program": "CS RC 기본 과정",
        "cohort_label": "CS RC 7기",
        "branch_name": "강서",
        "starts_on": date(2027, 1, 4),
        "ends_on": date(2027, 4, 3),
        "hours": 390,
        "issued_on": date(2027, 4, 10),
        "issuer_name": "CS RC 교육센터장",
        "verification_code": "ABCD2345EFGH",
        "verify_url": URL,
    }
    return CertificateData(**(values | changes))


@pytest.fixture
def page(tmp_path) -> Image.Image:
    """The certificate of `URL` rendered to a PNG at 200 dpi, as a printer or a phone's camera sees it."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        if os.environ.get("E2E_REQUIRED"):
            pytest.fail(f"missing {missing}: install poppler-utils and zbar-tools")
        pytest.skip(f"missing {missing}")
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(CertificateRenderer().render(_data()))
    subprocess.run(["pdftoppm", "-png", "-singlefile", "-r", str(DPI), str(pdf), str(tmp_path / "page")], check=True)
    return Image.open(tmp_path / "page.png")


def test_it_reads_back_as_the_verification_url(page):
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", page.filename], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert decoded == URL


def test_it_fills_its_24_mm_square_with_a_quiet_zone_of_four_modules(page):
    layout = CertificateRenderer()
    size = 24 * mm
    left = layout.width - layout.margin - 10 * mm - size
    bottom = layout.margin + 10 * mm
    module = size / (len(qr_modules(URL)) + 8)

    def pixels(points: float) -> int:
        return round(points * DPI / 72)

    # The square in pixels, top down as in the image; inside it only the code is dark.
    square = (pixels(left), pixels(layout.height - bottom - size), pixels(left + size), pixels(layout.height - bottom))
    dark = ImageOps.invert(page.convert("L").crop(square)).point(lambda value: 255 if value > 128 else 0)
    inset = pixels(4 * module)
    width = square[2] - square[0]
    expected = (inset, inset, width - inset, width - inset)
    found = dark.getbbox()
    assert all(abs(edge - want) <= 1 for edge, want in zip(found, expected, strict=True)), (found, expected)


def test_it_encodes_the_qr_code_once_per_certificate():
    with mock.patch.object(QRCode, "make", autospec=True, side_effect=QRCode.make) as make:
        CertificateRenderer().render(_data())
        CertificateRenderer().render(_data(verification_code="WXYZ6789KLMN", verify_url=URL.replace("ABCD", "WXYZ")))
    assert make.call_count == 2


def test_it_decodes_a_seal_once_for_many_certificates():
    seal = io.BytesIO()
    Image.new("RGBA", (120, 120), (200, 20, 20, 255)).save(seal, "PNG")
    renderer.seal_image.cache_clear()
    with mock.patch.object(renderer, "ImageReader", wraps=renderer.ImageReader) as image_reader:
        for _ in range(3):
            # Each certificate reads the seal from its file anew: equal bytes, not the same object.
            pdf = CertificateRenderer().render(_data(seal_png=bytes(seal.getvalue())))
            assert b"/Subtype /Image" in pdf
    assert image_reader.call_count == 1


URL_TAILS = st.text(alphabet=string.ascii_letters + string.digits + "-_/", min_size=1, max_size=120)


def _reportlab_modules(text: str) -> list[list[bool]]:
    code = QRCode(None, QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    return code.modules


@settings(max_examples=300, deadline=None)
@given(tail=URL_TAILS)
def test_it_encodes_every_url_exactly_as_reportlab(tail):
    url = f"https://csrc.example.com/certificates/verify/{tail}"
    assert qr_modules(url) == _reportlab_modules(url)


@settings(max_examples=40, deadline=None)
@given(tail=URL_TAILS)
def test_it_scores_every_mask_as_reportlab(tail):
    code = _QRCode(None, QRErrorCorrectLevel.M)
    code.addData(f"https://csrc.example.com/{tail}")
    code.make()
    for mask in range(8):
        code.makeImpl(True, mask)
        rows = ["".join("1" if dark else "0" for dark in row) for row in code.modules]
        assert _lost_points(rows) == QRUtil.getLostPoint(code), mask
