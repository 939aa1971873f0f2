"""The picture of a scanned line: the page of the original file (a scanned PDF or an image) drawn
again and cut around the region that OCR read the number from, the line framed in red, so a
reviewer compares the number with what was printed, not with our reading of it. No Streamlit here."""

from __future__ import annotations

import re
from pathlib import Path

REGION = re.compile(r"OCR第(\d+)页.*?区域([\d.]+),([\d.]+),([\d.]+),([\d.]+)")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}
SCALE = 2.0  # 144 dpi: the printed digits stay legible in the cut
AROUND = 2.5  # line heights of context above and below the line


def region_of(loc: str | None) -> tuple[int, tuple[float, float, float, float]] | None:
    """The page and region (fractions of the page: left, top, right, bottom) a location names."""
    if not loc or not (m := REGION.search(loc)):
        return None
    return int(m[1]), (float(m[2]), float(m[3]), float(m[4]), float(m[5]))


def find_source(path: str | None, warehouse: str | Path | None = None) -> Path | None:
    """The original file on this machine: as recorded (relative to where the load ran, normally
    the project's folder), else beside the warehouse's folder."""
    if not path:
        return None
    candidates = [Path(path)]
    if warehouse is not None and not Path(path).is_absolute():
        candidates.append(Path(warehouse).resolve().parent.parent / path)
    return next((p for p in candidates if p.is_file()), None)


def _page(path: Path, page: int):
    from PIL import Image

    if path.suffix.lower() in IMAGE_SUFFIXES:
        return Image.open(path).convert("RGB") if page == 1 else None
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        if not 1 <= page <= len(pdf):
            return None
        return pdf[page - 1].render(scale=SCALE).to_pil().convert("RGB")
    finally:
        pdf.close()


def page_of_line(path: Path, line: int) -> int | None:
    """The page of a text-layer PDF that line `line` of its text was read from."""
    from etl.read.pdf import line_pages

    try:
        pages = line_pages(path.read_bytes())
    except Exception:  # a file that cannot be read again is shown as text only
        return None
    return pages[line - 1] if 1 <= line <= len(pages) else None


def page_picture(path: Path, page: int):
    try:
        return _page(path, page)
    except Exception:  # a file that cannot be drawn again is shown as text only
        return None


def crop(path: Path, page: int, region: tuple[float, float, float, float]):
    """The page cut to the line's full width band with some lines around it, the line framed;
    None when the file has no such page or cannot be drawn."""
    from PIL import ImageDraw

    try:
        image = _page(path, page)
    except Exception:  # a file that cannot be drawn again is shown as text only
        return None
    if image is None:
        return None
    w, h = image.size
    x0, y0, x1, y1 = region[0] * w, region[1] * h, region[2] * w, region[3] * h
    line = max(y1 - y0, 1.0)
    ImageDraw.Draw(image).rectangle((x0 - 4, y0 - 3, x1 + 4, y1 + 3), outline=(220, 30, 30), width=3)
    top, bottom = max(0, int(y0 - AROUND * line)), min(h, int(y1 + AROUND * line))
    return image.crop((0, top, w, bottom))
