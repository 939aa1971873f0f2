"""Images of printed reports (.png/.jpg/.tif): read by OCR (etl.read.ocr) when the engine is
installed, otherwise rejected with what to install, never guessed."""

from __future__ import annotations

from etl.errors import UnreadableFile
from etl.model import Document
from etl.read import limits, ocr

WHAT = "图片（扫描件）"
TARGET_LONG_SIDE = 2100  # pixels: an A4 page at 180 dpi, the resolution scans are read at (etl.read.pdf)


def read(source: str, data: bytes) -> Document:
    if not ocr.available():
        raise ocr.unavailable(WHAT)
    import cv2  # installed with the OCR engine
    import numpy as np

    header = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_REDUCED_GRAYSCALE_8)
    if header is None:
        raise UnreadableFile("图片文件已损坏或格式不受支持，无法打开")
    if header.shape[0] * header.shape[1] * 64 > limits.MAX_IMAGE_PIXELS:
        raise UnreadableFile(f"图片超过 {limits.MAX_IMAGE_PIXELS // 1_000_000} 百万像素的上限，不像一页报告")
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    long_side = max(image.shape[:2])
    if long_side < TARGET_LONG_SIDE:  # a low-resolution picture: enlarged to about 180 dpi for A4
        f = TARGET_LONG_SIDE / long_side
        image = cv2.resize(image, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)
    return ocr.read_images(source, [image[:, :, ::-1]], WHAT)  # OpenCV gives BGR
