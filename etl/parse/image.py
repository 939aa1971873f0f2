"""Images of printed reports (.png/.jpg/.tif). Reading them needs OCR, which this build does
not enable: the file is rejected with what to install, never guessed."""

from __future__ import annotations

from etl.errors import UnreadableFile
from etl.model import Document


def read(source: str, data: bytes) -> Document:
    raise UnreadableFile("这是图片（扫描件），需要文字识别（OCR）才能读取；本机未启用 OCR，"
                         "请安装 tesseract-ocr 和 tesseract-ocr-chi-sim 后重试，或提供文字版")
