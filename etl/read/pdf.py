"""PDF with a text layer (pypdfium2, Apache/BSD licensed). The text comes out in the order the
exporting program (WPS, Word) wrote it: one table row per line, labels broken over lines,
page numbers between rows; the text layouts of etl.extract.rows read it as they read a text dump.
A PDF without a text layer is a scan: rejected with what to install, never guessed."""

from __future__ import annotations

from collections import Counter

from etl.errors import UnreadableFile
from etl.model import Document
from etl.read import limits, ocr
from etl.read.pdfcells import place_cells
from etl.read.text import lines_of

MAX_PAGES = limits.MAX_PDF_PAGES


def page_texts(data: bytes, positioned: bool = False) -> list:
    """The text of each page; `positioned`: (text with table rows whose cells are missing written
    with explicit cell boundaries from the characters' x positions (etl.read.pdfcells), the text
    as printed) per page."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except Exception:  # pdfium raises its own error type for any broken file
        raise UnreadableFile("PDF 文件已损坏或不完整，无法打开") from None
    try:
        if len(pdf) > MAX_PAGES:
            raise UnreadableFile(f"PDF 有 {len(pdf)} 页，超过 {MAX_PAGES} 页的上限，不像一份年度报告")
        texts = []
        for i in range(len(pdf)):
            tp = pdf[i].get_textpage()
            text = tp.get_text_range()
            plain = text.replace("\r\n", "\n").replace("\r", "\n")
            if positioned:
                boxes = [tp.get_charbox(k) for k in range(tp.count_chars())]
                texts.append(("\n".join(place_cells(text, boxes)), plain))
            else:
                texts.append(plain)
        return texts
    finally:
        pdf.close()


def _strip_running_heads(pages: list[list[str]]) -> list[list[str]]:
    """Lines that open or close most pages (a running head or foot) are not report text."""
    if len(pages) < 3:
        return pages
    edges = Counter()
    for lines in pages:
        body = [ln.strip() for ln in lines if ln.strip()]
        for ln in set(body[:1] + body[-1:]):
            edges[ln] += 1
    heads = {ln for ln, n in edges.items() if n >= 0.6 * len(pages) and len(ln) < 40}
    return [[ln for ln in lines if ln.strip() not in heads] for lines in pages]


SCAN = "扫描件（PDF 没有文字层）"


def page_images(data: bytes, scale: float = 2.5) -> list:
    """Each page rendered at 180 dpi as an RGB array, for OCR (on the test scan, 144 dpi
    misread a 9 and 72 dpi lost whole rows; 180 dpi read every value)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        if len(pdf) > limits.MAX_OCR_PAGES:
            raise UnreadableFile(f"扫描件有 {len(pdf)} 页，超过文字识别 {limits.MAX_OCR_PAGES} 页的上限")
        return [pdf[i].render(scale=scale).to_numpy()[:, :, :3] for i in range(len(pdf))]
    finally:
        pdf.close()


def line_pages(data: bytes) -> tuple[int, ...]:
    """The page each line of the text `read` gives stands on (line n on the n-1th entry), so a
    number's line can be shown on its page of the original."""
    placed = _strip_running_heads([t.split("\n") for t, _ in page_texts(data, positioned=True)])
    return tuple(page for page, lines in enumerate(placed, start=1) for _ in lines)


def read(source: str, data: bytes) -> Document:
    both = page_texts(data, positioned=True)
    if sum(len(t.strip()) for _, t in both) < 50:
        if not ocr.available():
            raise ocr.unavailable(SCAN)
        return ocr.read_images(source, page_images(data), SCAN)
    placed = _strip_running_heads([t.split("\n") for t, _ in both])
    printed = _strip_running_heads([t.split("\n") for _, t in both])
    text = "\n".join("\n".join(p) for p in placed)
    lines, trad = lines_of(text)
    original = "\n".join("\n".join(p) for p in printed)
    return Document(
        source=source,
        fmt="pdf",
        encoding="pdf",
        lines=lines,
        traditional=trad,
        original=tuple(original.split("\n")),
    )
