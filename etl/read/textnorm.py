"""Turning bytes into normalised text: encoding detection, full-width to half-width,
traditional to simplified characters for matching (the original is kept for provenance)."""

from __future__ import annotations

import codecs
import functools
import re

from etl.errors import UnreadableFile

# Full-width ASCII (U+FF01..U+FF5E) to ASCII, ideographic and no-break spaces to spaces.
# Done with a table instead of NFKC, which would also turn ① into 1 and invent numbers.
_HALF = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_HALF.update(
    {
        0x3000: 0x20,
        0xA0: 0x20,
        0x2002: 0x20,
        0x2003: 0x20,
        0x2009: 0x20,
        0x200B: None,
        0xFEFF: None,
        0x2212: 0x2D,
    }
)
_HALF_NO_COMMA = dict(_HALF)
_HALF_NO_COMMA[0xFF0C] = 0xFF0C  # keep the Chinese comma: it separates clauses, not thousands


def to_halfwidth(s: str) -> str:
    return s.translate(_HALF)


def normalise_line(s: str) -> str:
    return s.translate(_HALF_NO_COMMA)


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
)


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        return True
    ctrl = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return ctrl > len(sample) * 0.05


def _cjk_share(text: str) -> float:
    sample = text[:4000]
    if not sample:
        return 0.0
    cjk = sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff")
    return cjk / max(1, sum(1 for ch in sample if not ch.isspace()))


def _utf16_without_bom(sample: bytes) -> str | None:
    le = sum(1 for i in range(0, len(sample) - 1, 2) if sample[i] == 10 and sample[i + 1] == 0)
    be = sum(1 for i in range(1, len(sample), 2) if sample[i] == 10 and sample[i - 1] == 0)
    newlines = sample.count(b"\n")
    for enc, hits in (("utf-16-le", le), ("utf-16-be", be)):
        if hits >= 2 and hits >= 0.8 * newlines:
            try:
                text = sample[: len(sample) // 2 * 2].decode(enc)
            except UnicodeDecodeError:
                continue
            if _cjk_share(text) > 0.2:
                return enc
    return None


def decode(data: bytes) -> tuple[str, str]:
    """Decode report bytes; returns (text, encoding). Raises UnreadableFile."""
    if not data.strip():
        raise UnreadableFile("文件为空")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc, errors="replace").lstrip("\ufeff"), enc.replace("-sig", "")
    # UTF-16 without BOM: line ends are "\n\0" at even offsets (LE) or "\0\n" at odd ones (BE)
    enc16 = _utf16_without_bom(data[:20000]) if b"\x00" in data[:4000] else None
    if enc16:
        return data.decode(enc16, errors="replace"), enc16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        # A file cut mid-character still decodes when only its tail is broken.
        if exc.start > len(data) - 4:
            return data[: exc.start].decode("utf-8"), "utf-8"
    if _looks_binary(data):
        raise UnreadableFile("文件不是文本（可能是二进制文件或已损坏）")
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000], cp_isolation=["gb18030", "big5", "utf_16", "utf_8", "gbk"]).best()
    candidates = [best.encoding] if best is not None else []
    candidates += ["gb18030", "big5"]
    for enc in candidates:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if _cjk_share(text) > 0.2:
            return text, "gb18030" if enc in ("gbk", "gb2312") else enc
    raise UnreadableFile("无法识别文件的文字编码（不是 UTF-8、GB18030、UTF-16 或 Big5 文本）")


_TRAD_HINTS = set("報開與國務辦於區縣鎮條處廳門網傳統發關計劃會議機構應總體據請們")


def looks_traditional(text: str) -> bool:
    sample = text[:3000]
    return sum(1 for ch in sample if ch in _TRAD_HINTS) >= 8


@functools.lru_cache(maxsize=1)
def _t2s():
    from opencc_purepy import OpenCC

    return OpenCC("t2s")


PINYIN_GLOSS = re.compile(r"\([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]{1,8}\)")


def to_simplified(line: str) -> str:
    """Traditional to simplified, dropping pinyin that some mirror sites insert: 報(bào)."""
    return _t2s().convert(PINYIN_GLOSS.sub("", line))


PAGE_NUMBER = re.compile(r"^\s*[-—–]\s*\d{1,3}\s*[-—–]\s*$|^\s*第\s*\d{1,3}\s*页(\s*共\s*\d+\s*页)?\s*$")
