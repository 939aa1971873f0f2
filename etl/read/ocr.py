"""Scans (a PDF without a text layer, or an image) read by OCR, offline: RapidOCR runs the
PaddleOCR Chinese models through ONNX Runtime, and the models ship inside its wheel (nothing is
downloaded). Text boxes are put back into lines by their position on the page (one table row
per line, cells left to right), so the same row layouts as a PDF's text layer read them.

Every line remembers its page and the lowest confidence of the numbers on it; after parsing,
each table value's location names the page and confidence, and a finding says that the report
was read by OCR and whether the tables' own arithmetic confirms the reading."""

from __future__ import annotations

import dataclasses
import re
import statistics
from dataclasses import dataclass

from etl.errors import UnreadableFile
from etl.model import Document, Finding, OcrLine, Report, Value
from etl.read import limits
from etl.read.text import lines_of

INSTALL = "pip install rapidocr-onnxruntime（项目的 ocr 可选依赖，make .venv 已包含）"
LOW_CONFIDENCE = 0.9
BOX_THRESH, UNCLIP = 0.3, 2.4  # measured on generated scans: lower thresholds keep lone "0"s
_DIGIT = re.compile(r"\d")
_engine = None


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    confidence: float

    @property
    def yc(self) -> float:
        return (self.y0 + self.y1) / 2


def available() -> bool:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def unavailable(what: str) -> UnreadableFile:
    return UnreadableFile(
        f"这是{what}，需要文字识别（OCR）才能读取；本机未安装 OCR 引擎，请 {INSTALL} 后重试，或提供文字版"
    )


def _ocr(image) -> list[Box]:
    global _engine
    if _engine is None:
        import multiprocessing

        from rapidocr_onnxruntime import RapidOCR

        # a load's worker processes already fill the cores: one inference thread each, not one per core each
        threads = 1 if multiprocessing.parent_process() is not None else -1
        _engine = RapidOCR(text_score=0.3, intra_op_num_threads=threads)  # once per process
    result, _ = _engine(image, box_thresh=BOX_THRESH, text_score=0.3, unclip_ratio=UNCLIP)
    boxes = []
    for quad, text, conf in result or []:
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        box = Box(min(xs), min(ys), max(xs), max(ys), text.strip(), float(conf))
        boxes += split_at_rules(box, image) if _NUMBERS.fullmatch(box.text) else [box]
    return [b for b in boxes if b.text]


_NUMBERS = re.compile(r"[\d.,/ ]{2,}")


def split_at_rules(box: Box, image) -> list[Box]:
    """Numbers of neighbouring cells that OCR read as one ("16 | 3470" as "163470"): the table's
    vertical rule between them is still in the picture. Columns inked from half a line above the
    box to half a line below it are rules; the text is cut there, digits being of equal width."""
    import numpy as np

    x0, x1, y0, y1 = int(box.x0), int(box.x1), int(box.y0), int(box.y1)
    pad = (y1 - y0) // 2  # a rule runs on above and below the text; a digit's stroke does not
    crop = image[max(0, y0 - pad) : y1 + pad, max(0, x0) : x1]
    if crop.size == 0 or crop.shape[1] < 6:
        return [box]
    grey = crop.mean(axis=2) if crop.ndim == 3 else crop
    dark = (grey < 220).mean(axis=0)  # share of inked pixels in each column (rules may be light grey)
    cols = np.flatnonzero(dark > 0.9)
    cols = cols[(cols > 2) & (cols < crop.shape[1] - 3)]  # the box's own edges are not rules
    if cols.size == 0:
        return [box]
    near = max(3, (y1 - y0) // 2)  # two cells' borders side by side are one rule
    cuts = [int(c) for i, c in enumerate(cols) if i == 0 or c - cols[i - 1] > near]
    text, width = box.text.replace(" ", ""), x1 - x0
    out, start = [], 0
    for cut in [*cuts, width]:
        end = round(len(text) * cut / width)
        if end > start:
            out.append(
                Box(
                    x0 + width * start / len(text),
                    box.y0,
                    x0 + width * end / len(text),
                    box.y1,
                    text[start:end],
                    box.confidence,
                )
            )
        start = end
    return out or [box]


def rows(boxes: list[Box]) -> list[list[Box]]:
    """Boxes grouped into lines: a box joins the line whose centre it shares within half a
    text height (a table row's cells, a label broken over two lines beside its numbers)."""
    if not boxes:
        return []
    height = statistics.median(b.y1 - b.y0 for b in boxes)
    out: list[list[Box]] = []
    for b in sorted(boxes, key=lambda b: b.yc):
        if out and abs(b.yc - statistics.fmean(x.yc for x in out[-1])) <= 0.5 * height:
            out[-1].append(b)
        else:
            out.append([b])
    return [sorted(r, key=lambda b: b.x0) for r in out]


def read_images(source: str, images: list, what: str) -> Document:
    """images: one RGB array per page."""
    if len(images) > limits.MAX_OCR_PAGES:
        raise UnreadableFile(f"扫描件有 {len(images)} 页，超过文字识别 {limits.MAX_OCR_PAGES} 页的上限")
    limits.extend_deadline(limits.OCR_SECONDS)
    text_lines: list[str] = []
    info: list[OcrLine] = []
    for page, image in enumerate(images, start=1):
        height, width = image.shape[:2]
        for row in rows(_ocr(image)):
            text_lines.append(" ".join(b.text for b in row))
            numbers = [b.confidence for b in row if _DIGIT.search(b.text)]
            box = (min(b.x0 for b in row) / width, min(b.y0 for b in row) / height)
            box += (max(b.x1 for b in row) / width, max(b.y1 for b in row) / height)
            info.append(OcrLine(page, min(numbers) if numbers else 1.0, tuple(round(x, 4) for x in box)))
    if sum(len(t) for t in text_lines) < 50:
        raise UnreadableFile(f"{what}中识别不出文字（可能是空白页或图像过于模糊）")
    lines, trad = lines_of("\n".join(text_lines))
    return Document(
        source=source,
        fmt="ocr",
        encoding="ocr",
        lines=lines,
        traditional=trad,
        original=tuple(text_lines),
        ocr=tuple(info),
    )


_LINE = re.compile(r"L(\d+)$")


def annotate(report: Report, info: tuple[OcrLine, ...]) -> Report:
    """Each table value's location gains its page and OCR confidence; one finding tells the
    reader the report was read by OCR, how many numbers were uncertain and whether the tables'
    arithmetic holds (the test of a good reading)."""
    low: list[str] = []

    def mark(ref: str, v: Value | None) -> Value | None:
        if v is None or not (m := _LINE.match(v.loc)):
            return v
        n = int(m[1])
        if not 1 <= n <= len(info):
            return v
        line = info[n - 1]
        if line.confidence < LOW_CONFIDENCE:
            low.append(ref)
        return Value(v.value, v.raw, f"{v.loc} {line.where()}")

    t2 = {k: mark(f"t2.{k}", v) for k, v in report.t2.items()}
    t3 = {r: {c: mark(f"t3.{r}.{c}", v) for c, v in cols.items()} for r, cols in report.t3.items()}
    t4 = {k: mark(f"t4.{k}", v) for k, v in report.t4.items()}
    gaps = [f"t2.{k}" for k, v in t2.items() if v is None or v.value is None]
    gaps += [f"t3.{r}.{c}" for r, cols in t3.items() for c, v in cols.items() if v is None or v.value is None]
    gaps += [f"t4.{k}" for k, v in t4.items() if v is None or v.value is None]
    table_errors = [f for f in report.findings if f.severity == "error"]
    verdict = (
        "表格的勾稽关系全部成立，识别结果可信"
        if not table_errors
        else f"有 {len(table_errors)} 处表格勾稽关系不成立，可能是识别错误，请对照原件核对"
    )
    trust = not table_errors and len(gaps) <= 10
    finding = Finding(
        "ocr_read",
        "info" if trust else "warning",
        f"本报告为扫描件，数字由文字识别（OCR）读出；{len(low)} 个数字置信度低于 {LOW_CONFIDENCE}；"
        f"{len(gaps)} 个单元格为空（原件空白，或未能识别，请对照原件）；{verdict}",
        tuple(dict.fromkeys(low + gaps)),
    )
    # a sum that breaks over numbers read by OCR is a doubt about the reading first, not the agency's error
    kept = tuple(
        Finding("reading_sums_break", "warning", f.message + "（扫描件由文字识别读出，可能是识别有误）", f.cells)
        if f.rule in _SUMS and f.severity == "error"
        else f
        for f in report.findings
    )
    return dataclasses.replace(report, t2=t2, t3=t3, t4=t4, findings=(*kept, finding))


_SUMS = frozenset({"t3_balance", "t3_row_sum", "t3_outcome_sum", "t4_group_sum"})
