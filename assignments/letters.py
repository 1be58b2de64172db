"""The letters that tell customers without a mobile who their new manager is: plain data objects in,
one PDF out, a page per customer, no database.

The words come in the data (the service writes them, translated); the page is A4 with the
sender on top, the customer's address where a window envelope shows it, the notice, and a
box with the address and QR code of the page that confirms the consultant is real. The
Korean fonts are the certificates' (curriculum/fonts/, SIL OFL 1.1).
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from curriculum.certificates.renderer import SANS, SERIF, SERIF_BOLD, draw_qr, qr_modules, register_fonts


@dataclass(frozen=True)
class LetterData:
    """Everything one letter prints."""

    recipient_name: str  # "김민지 고객님 귀하"
    recipient_address: str
    sender: tuple[str, ...]  # the branch, its address and phone, one line each
    title: str
    paragraphs: tuple[str, ...]
    check_heading: str
    check_lines: tuple[str, ...]  # how to check, beside the QR code
    verify_url: str
    dated: str  # "2026년 11월 30일"
    signature: str


@lru_cache(maxsize=64)
def _qr(url: str) -> tuple[tuple[bool, ...], ...]:
    """Return the QR code of `url`, once per process: the letters of one consultant share it."""
    return tuple(tuple(row) for row in qr_modules(url))


class LetterRenderer:
    """Draw each letter on its own A4 page of one PDF."""

    page_size = A4
    margin = 20 * mm
    # Where a left window envelope (DL, 220 × 110 mm) shows the address, from the page's top left.
    window_left = 25 * mm
    window_top = 50 * mm
    window_width = 90 * mm
    ink = HexColor("#1b1f24")
    muted = HexColor("#5b6470")
    accent = HexColor("#0b4f8a")
    body_size = 11
    body_leading = 18

    def render(self, letters: Sequence[LetterData]) -> bytes:
        """Return the PDF of the letters as bytes, a page each."""
        register_fonts()
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=self.page_size, pageCompression=1, initialFontName=SANS)
        if letters:
            canvas.setTitle(letters[0].title)
        for letter in letters:
            self._draw_sender(canvas, letter)
            self._draw_recipient(canvas, letter)
            y = self._draw_title(canvas, letter)
            y = self._draw_paragraphs(canvas, letter, y)
            self._draw_check(canvas, letter, y)
            self._draw_signature(canvas, letter)
            canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    @property
    def width(self) -> float:
        return self.page_size[0]

    @property
    def height(self) -> float:
        return self.page_size[1]

    def _draw_sender(self, canvas: Canvas, letter: LetterData) -> None:
        canvas.setFillColor(self.muted)
        y = self.height - self.margin
        for index, line in enumerate(letter.sender):
            canvas.setFont(SANS, 10 if index == 0 else 9)
            canvas.drawString(self.margin, y, line)
            y -= 13

    def _draw_recipient(self, canvas: Canvas, letter: LetterData) -> None:
        canvas.setFillColor(self.ink)
        canvas.setFont(SANS, 11)
        y = self.height - self.window_top
        for line in simpleSplit(letter.recipient_address, SANS, 11, self.window_width):
            canvas.drawString(self.window_left, y, line)
            y -= 16
        canvas.setFont(SERIF_BOLD, 14)
        canvas.drawString(self.window_left, y - 6, letter.recipient_name)

    def _draw_title(self, canvas: Canvas, letter: LetterData) -> float:
        y = self.height - 112 * mm
        canvas.setFillColor(self.ink)
        canvas.setFont(SERIF_BOLD, 20)
        canvas.drawCentredString(self.width / 2, y, letter.title)
        canvas.setStrokeColor(self.accent)
        canvas.setLineWidth(1)
        canvas.line(self.margin, y - 8 * mm, self.width - self.margin, y - 8 * mm)
        return y - 18 * mm

    def _draw_paragraphs(self, canvas: Canvas, letter: LetterData, y: float) -> float:
        canvas.setFillColor(self.ink)
        canvas.setFont(SERIF, self.body_size)
        width = self.width - 2 * self.margin
        for paragraph in letter.paragraphs:
            for line in simpleSplit(paragraph, SERIF, self.body_size, width):
                canvas.drawString(self.margin, y, line)
                y -= self.body_leading
            y -= self.body_leading / 2
        return y

    def _draw_check(self, canvas: Canvas, letter: LetterData, top: float) -> None:
        size = 30 * mm
        padding = 5 * mm
        height = size + 2 * padding
        bottom = top - height
        canvas.setStrokeColor(self.accent)
        canvas.setLineWidth(1.2)
        canvas.roundRect(self.margin, bottom, self.width - 2 * self.margin, height, 3 * mm)
        self._draw_qr(canvas, letter.verify_url, self.margin + padding, bottom + padding, size)
        x = self.margin + 2 * padding + size
        width = self.width - self.margin - padding - x
        y = top - padding - 12
        canvas.setFillColor(self.accent)
        canvas.setFont(SERIF_BOLD, 13)
        canvas.drawString(x, y, letter.check_heading)
        y -= 20
        canvas.setFillColor(self.ink)
        canvas.setFont(SANS, 10)
        for line in letter.check_lines:
            for part in simpleSplit(line, SANS, 10, width):
                canvas.drawString(x, y, part)
                y -= 15

    def _draw_qr(self, canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
        draw_qr(canvas, _qr(url), x=x, y=y, size=size)

    def _draw_signature(self, canvas: Canvas, letter: LetterData) -> None:
        canvas.setFillColor(self.ink)
        canvas.setFont(SERIF, 11)
        canvas.drawRightString(self.width - self.margin, self.margin + 12 * mm, letter.dated)
        canvas.setFont(SERIF_BOLD, 13)
        canvas.drawRightString(self.width - self.margin, self.margin + 4 * mm, letter.signature)
