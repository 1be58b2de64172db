"""The completion certificate's PDF: a plain data object in, PDF bytes out, no database.

Korean text is set in NanumMyeongjo, embedded from `curriculum/fonts/` (SIL OFL 1.1); the
QR code, encoded with reportlab's own encoder, points to the public verification page.
"""

import io
import itertools
import re
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from pathlib import Path

from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel, QRUtil
from reportlab.lib.colors import Color, HexColor, black
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONTS = Path(__file__).resolve().parent.parent / "fonts"
SERIF, SERIF_BOLD, SANS = "NanumMyeongjo", "NanumMyeongjoBold", "NanumGothic"
# The light margin around a QR code, in modules: the four the standard asks for.
QR_QUIET_ZONE = 4


@cache
def register_fonts() -> None:
    """Register the certificate's TrueType fonts with reportlab, once per process."""
    for name in (SERIF, SERIF_BOLD, SANS):
        pdfmetrics.registerFont(TTFont(name, str(FONTS / f"{name}.ttf")))


@lru_cache(maxsize=4)
def seal_image(png: bytes) -> ImageReader:
    """Return the seal decoded, once per process for as long as the same seal keeps coming.

    A bulk issue prints the same seal on every certificate, and decoding a scanned seal
    takes about half as long as drawing the rest of the page.
    """
    return ImageReader(io.BytesIO(png))


@dataclass(frozen=True)
class CertificateData:
    """Everything the certificate prints, copied from the certificate's snapshot."""

    number: str
    holder_name: str
    program: str
    cohort_label: str
    branch_name: str
    starts_on: date
    ends_on: date
    hours: int
    issued_on: date
    issuer_name: str
    verification_code: str
    verify_url: str
    seal_png: bytes | None = None


def korean_date(day: date) -> str:
    return f"{day.year}년 {day.month}월 {day.day}일"


def qr_modules(text: str) -> list[list[bool]]:
    """Return the QR code of `text`, error correction level M, as rows of modules, True where dark.

    Encoding tries all eight masks to pick the best, which is most of what a QR code
    costs: call it once per certificate.
    """
    code = _QRCode(None, QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    return code.modules


def draw_qr(canvas: Canvas, modules: list[list[bool]], *, x: float, y: float, size: float) -> None:
    """Draw a QR code's modules, quiet zone included, in the square of `size` whose lower left is (x, y).

    The dark modules go straight on the canvas, neighbours in a row merged into one
    rectangle. Each rectangle is filled on its own: viewers such as poppler snap a lone
    rectangle's edges to whole pixels, while one path of them all would be antialiased
    along every edge and print differently.
    """
    module = size / (len(modules) + 2 * QR_QUIET_ZONE)
    canvas.setFillColor(black)
    for row_index, row in enumerate(modules):
        bottom = y + size - (QR_QUIET_ZONE + row_index + 1) * module
        column = QR_QUIET_ZONE
        for dark, run in itertools.groupby(row):
            length = len(list(run))
            if dark:
                canvas.rect(x + column * module, bottom, length * module, module, stroke=0, fill=1)
            column += length


# reportlab's QR pattern that its rule 3 looks for, as text: dark 1, light 0.
_RULE3_PATTERN = "10111010000"
_RUNS_OF_FIVE = re.compile(r"0{5,}|1{5,}")


class _QRCode(QRCode):
    """reportlab's encoder, with its choice of mask made in a fraction of the time.

    reportlab builds the whole symbol once per mask and scores it module by module. In
    that trial the format modules are all light, so the eight trial symbols differ only in
    the data modules, flipped where the mask says: this builds the symbol once, flips the
    data modules of each mask as whole rows of bits (the flips of a version are cached),
    and scores the rows as text by reportlab's own rules, quirks included (the
    finder-like pattern is sought in rows only, in one direction, and not at the last
    place of a row). It picks the very same mask, so the code is unchanged module for
    module (curriculum/tests/test_certificate_qr.py compares them).
    """

    def getBestMaskPattern(self) -> int:  # noqa: N802 - reportlab's name
        self.makeImpl(True, 0)
        size = self.moduleCount
        positions = self.dataPosIterator()
        data = [0] * size
        fixed = [sum(dark << (size - 1 - column) for column, dark in enumerate(row)) for row in self.modules]
        # Positions past the data's last bit stay light, as reportlab's zip_longest leaves them.
        bits = itertools.chain(self.dataBitIterator(self.dataCache), itertools.repeat(False))
        for (column, row), dark in zip(positions, bits, strict=False):
            place = 1 << (size - 1 - column)
            fixed[row] &= ~place
            data[row] |= place if dark else 0
        best_score, best_mask = 0, 0
        for mask in range(8):
            flips = _mask_flips(self.version, mask)
            rows = [format(f | (d ^ m), f"0{size}b") for f, d, m in zip(fixed, data, flips, strict=True)]
            score = _lost_points(rows)
            if mask == 0 or score < best_score:
                best_score, best_mask = score, mask
        return best_mask


@cache
def _mask_flips(version: int, mask: int) -> tuple[int, ...]:
    """Return, row by row as bits, the data modules of a symbol of `version` that `mask` flips."""
    probe = QRCode(version, QRErrorCorrectLevel.M)
    probe.moduleCount = size = version * 4 + 17
    flips = [0] * size
    flipped = QRUtil.getMask(mask)
    for column, row in probe.dataPosIterator():
        if flipped(row, column):
            flips[row] |= 1 << (size - 1 - column)
    return tuple(flips)


def _lost_points(rows: list[str]) -> int:
    """Return reportlab's penalty score of a symbol given as rows of "1" (dark) and "0"."""
    columns = ["".join(column) for column in zip(*rows, strict=True)]
    size = len(rows)
    score = 0
    # Rule 1: every run of five or more modules of one colour, in rows and in columns.
    for line in itertools.chain(rows, columns):
        score += sum(match.end() - match.start() - 2 for match in _RUNS_OF_FIVE.finditer(line))
    # Rule 2: every 2 × 2 block of one colour.
    bits = [int(row, 2) for row in rows]
    pairs = (1 << (size - 1)) - 1
    for upper, lower in itertools.pairwise(bits):
        same_across = ~(upper ^ (upper >> 1)) & ~(lower ^ (lower >> 1)) & pairs
        same_down = ~(upper ^ lower) & ~((upper ^ lower) >> 1)
        score += 3 * (same_across & same_down).bit_count()
    # Rule 3: the finder-like pattern, scanning on past each match, in rows only: reportlab
    # compares each column's slice (a tuple) with the pattern (a list), never equal.
    last_start = size - len(_RULE3_PATTERN)
    for line in rows:
        start = line.find(_RULE3_PATTERN)
        while 0 <= start < last_start:
            score += 40
            start = line.find(_RULE3_PATTERN, start + len(_RULE3_PATTERN))
    # Rule 4: how far the share of dark modules is from half.
    dark = sum(row.count("1") for row in rows)
    score += 10 * (abs(100 * dark // (size * size) - 50) // 5)
    return score


class CertificateRenderer:
    """Draw a certificate on one A4 landscape page."""

    page_size = landscape(A4)
    margin = 14 * mm
    ink = HexColor("#1b1f24")
    accent = HexColor("#8a6d1f")
    muted = HexColor("#5b6470")

    def render(self, data: CertificateData) -> bytes:
        """Return the PDF of the certificate as bytes."""
        register_fonts()
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=self.page_size, pageCompression=1, initialFontName=SERIF)
        canvas.setTitle(f"수료증 {data.number}")
        canvas.setAuthor(data.issuer_name)
        canvas.setSubject(data.program)
        self._draw_border(canvas)
        self._draw_number(canvas, data)
        self._draw_title(canvas)
        self._draw_holder(canvas, data)
        self._draw_body(canvas, data)
        self._draw_issuer(canvas, data)
        self._draw_seal(canvas, data)
        self._draw_qr(canvas, data)
        canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    @property
    def width(self) -> float:
        return self.page_size[0]

    @property
    def height(self) -> float:
        return self.page_size[1]

    def _draw_border(self, canvas: Canvas) -> None:
        canvas.setStrokeColor(self.accent)
        canvas.setLineWidth(2.2)
        canvas.rect(self.margin, self.margin, self.width - 2 * self.margin, self.height - 2 * self.margin)
        inset = self.margin + 3 * mm
        canvas.setLineWidth(0.6)
        canvas.rect(inset, inset, self.width - 2 * inset, self.height - 2 * inset)

    def _draw_number(self, canvas: Canvas, data: CertificateData) -> None:
        canvas.setFillColor(self.ink)
        canvas.setFont(SERIF, 12)
        canvas.drawString(self.margin + 12 * mm, self.height - self.margin - 16 * mm, data.number)

    def _draw_title(self, canvas: Canvas) -> None:
        canvas.setFillColor(self.ink)
        canvas.setFont(SERIF_BOLD, 44)
        # Spaced out, as Korean certificates set their title.
        canvas.drawCentredString(self.width / 2, self.height - self.margin - 40 * mm, "수  료  증")

    def _draw_holder(self, canvas: Canvas, data: CertificateData) -> None:
        left = self.width / 2 - 70 * mm
        top = self.height - self.margin - 62 * mm
        rows = [("성      명", data.holder_name), ("과  정  명", data.program), ("기      수", data.cohort_label)]
        rows.append(("교육 기간", f"{korean_date(data.starts_on)} ~ {korean_date(data.ends_on)} ({data.hours}시간)"))
        for index, (label, value) in enumerate(rows):
            y = top - index * 10 * mm
            canvas.setFont(SERIF, 14)
            canvas.setFillColor(self.muted)
            canvas.drawString(left, y, label)
            canvas.setFillColor(self.ink)
            canvas.setFont(SERIF_BOLD if index == 0 else SERIF, 16 if index == 0 else 14)
            canvas.drawString(left + 32 * mm, y, f":  {value}")

    def _draw_body(self, canvas: Canvas, data: CertificateData) -> None:
        canvas.setFillColor(self.ink)
        canvas.setFont(SERIF, 15)
        lines = [
            f"위 사람은 {data.branch_name}CS지점에서 실시한 {data.program}의",
            "소정의 교육과정을 성실히 이수하였으므로 이 증서를 수여합니다.",
        ]
        y = self.height / 2 - 30 * mm
        for line in lines:
            canvas.drawCentredString(self.width / 2, y, line)
            y -= 9 * mm
        canvas.setFont(SERIF, 14)
        canvas.drawCentredString(self.width / 2, y - 8 * mm, korean_date(data.issued_on))

    def _draw_issuer(self, canvas: Canvas, data: CertificateData) -> None:
        canvas.setFillColor(self.ink)
        canvas.setFont(SERIF_BOLD, 20)
        canvas.drawCentredString(self.width / 2, self.margin + 24 * mm, data.issuer_name)

    def _draw_seal(self, canvas: Canvas, data: CertificateData) -> None:
        size = 26 * mm
        x = self.width / 2 + canvas.stringWidth(data.issuer_name, SERIF_BOLD, 20) / 2 + 2 * mm
        y = self.margin + 24 * mm - size / 2 + 2 * mm
        if data.seal_png:
            canvas.drawImage(seal_image(data.seal_png), x, y, size, size, mask="auto")
            return
        # Without an uploaded seal, a plain red ring marks where it belongs.
        canvas.setStrokeColor(Color(0.75, 0.1, 0.1))
        canvas.setLineWidth(1.5)
        canvas.circle(x + size / 2, y + size / 2, size / 2 - 2 * mm)
        canvas.setFillColor(Color(0.75, 0.1, 0.1))
        canvas.setFont(SERIF_BOLD, 11)
        canvas.drawCentredString(x + size / 2, y + size / 2 - 4, "(인)")

    def _draw_qr(self, canvas: Canvas, data: CertificateData) -> None:
        size = 24 * mm
        x = self.width - self.margin - 10 * mm - size
        y = self.margin + 10 * mm
        draw_qr(canvas, qr_modules(data.verify_url), x=x, y=y, size=size)
        canvas.setFont(SANS, 7)
        canvas.setFillColor(self.muted)
        canvas.drawCentredString(x + size / 2, y - 3 * mm, f"진위 확인 {data.verification_code}")
