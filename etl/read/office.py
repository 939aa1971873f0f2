"""Legacy .doc and WPS .wps files: converted to DOCX by LibreOffice in headless mode when it
is installed, then read as DOCX. Without LibreOffice the file is rejected with what to install."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from etl.errors import UnreadableFile
from etl.model import Document
from etl.read import docx

TIMEOUT_S = 60


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read(source: str, data: bytes) -> Document:
    exe = soffice()
    suffix = Path(source).suffix.lower() or ".doc"
    if exe is None:
        raise UnreadableFile(
            f"{suffix} 是旧版 Word/WPS 文件，需要安装 LibreOffice（apt-get install libreoffice-writer）"
            "才能读取；也可另存为 DOCX 或 PDF 后再导入"
        )
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"report{suffix}"
        src.write_bytes(data)
        try:
            subprocess.run(
                [exe, "--headless", "--convert-to", "docx", "--outdir", tmp, str(src)],
                capture_output=True,
                timeout=TIMEOUT_S,
                check=False,
                env={"HOME": tmp, "PATH": "/usr/bin:/bin"},
            )
        except subprocess.TimeoutExpired:
            raise UnreadableFile(f"LibreOffice 转换 {suffix} 文件超过 {TIMEOUT_S} 秒，已放弃") from None
        out = Path(tmp) / "report.docx"
        if not out.exists():
            raise UnreadableFile(f"LibreOffice 无法转换这个 {suffix} 文件（文件可能已损坏）")
        doc = docx.read(source, out.read_bytes())
    return Document(
        source=doc.source,
        fmt=suffix.lstrip("."),
        encoding=doc.encoding,
        lines=doc.lines,
        tables=doc.tables,
        traditional=doc.traditional,
        original=doc.original,
    )
