"""Copy detection: shingles of a report's prose, its MinHash signature, and the exact share of one
report's prose found in another's.

- Shingles are 6-character pieces of the prose with digits, spaces and punctuation left out (a
  copied report with this year's numbers is still a copy). A piece never crosses the end of a
  sentence (。！？) but does cross a clause (，；、): a copy keeps its clauses in their order, while
  two reports that pick the same stock phrases in other combinations or orders share far fewer
  pieces. A line break inside a sentence is layout (text cut to the width of a page or a web
  column), not an end: only a line shorter than WRAP characters (a heading, a signature, a date)
  ends where it ends. Before the line rule counted every line break as an end, a report whose
  lines were wrapped lost five pieces at every wrap and a copy of it fell under the threshold.
- The report's own agency name is left out in each of its forms (name_forms: the full name, without
  its region prefixes, without 人民政府): a copy with the name changed is a copy.
- The format's own headings and the regulations' sentences (data/boilerplate.txt) are left out, and
  so is every piece made only of their characters (where two of them meet): what every report
  must print is not copying.
- The signature is a one-permutation MinHash (Li, Owen and Zhang 2012): each shingle's 64-bit hash
  falls into one of 64 bins by its top bits and the bin keeps the smallest of the rest, so two
  signatures agree in a bin with probability equal to the Jaccard similarity of the two sets. It is
  made once per report, in the parse worker, and stored in the warehouse (prose_signatures); the
  warehouse records SIGNATURE_VERSION, and a load remakes the stored signatures of an older one.
- Candidates: the year before of the same agency when the signatures estimate the share at 0.8 or
  more; other agencies of the same region and year that share a band of 4 bins (16 bands, LSH, in
  DuckDB). Only candidates are compared exactly: the share of this report's shingles found in the
  other's, the measure and the 90 % threshold the copied-text check has always used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np

from etl.paths import DATA

K = 6  # characters per shingle
BINS = 64  # MinHash slots
ROWS = 4  # slots per LSH band
BANDS = BINS // ROWS
EMPTY = np.uint32(0xFFFFFFFF)  # a bin no shingle fell into
MIN_PROSE = 300  # characters of prose below which a report is not compared (as before)
MIN_SHINGLES = 50  # distinct shingles left after the boilerplate, below which it is not compared either
THRESHOLD = 0.9  # share of a report's prose found in the other report's: copied
CANDIDATE = 0.8  # the signatures' estimate of that share from which the exact share is computed
SIGNATURE_VERSION = 2  # 1: pieces stopped at every line break and clause end; 2: this module
WRAP = 20  # a line of at least this many characters that ends without 。 goes on in the next line

_BREAK = "\x00"  # where a piece may not cross: a removed name, the end of a short line, between texts
_SENTENCE_END = "。！？!?" + _BREAK
_NOISE = (
    "0123456789０１２３４５６７８９ \t\r\n\u3000\xa0，、：:,.;；()（）“”‘’《》〈〉【】[]<>-—–_/|·…%％\"'`~～*＊#＃+＝="
)
_MULT = np.uint64(0x100000001B3)
_SHORT_LINE = re.compile(rf"^([^\n]{{0,{WRAP - 1}}})\n", re.M)
_REGION = re.compile(r"^.{2,}?(?:省|自治区|特别行政区|自治州|自治县|地区|市|州|盟|县|区|旗)")
_GENERIC = ("人民政府办公室", "人民政府办公厅", "人民政府", "政府办公室", "政府办公厅", "政府", "办公室", "办公厅")


@dataclass(frozen=True)
class Signature:
    """A report's prose as copy detection sees it: how many distinct shingles, and the MinHash."""

    shingles: int
    minhash: bytes  # BINS little-endian uint32

    def array(self) -> np.ndarray:
        return np.frombuffer(self.minhash, dtype="<u4")


@cache
def _kinds() -> np.ndarray:
    """Per code point: 0 kept, 1 left out (digits, spaces, punctuation), 2 a piece may not cross it."""
    table = np.zeros(0x110000, dtype=np.uint8)
    table[[ord(c) for c in _NOISE]] = 1
    table[[ord(c) for c in _SENTENCE_END]] = 2
    return table


@cache
def name_forms(name: str | None) -> tuple[str, ...]:
    """The ways a report names its own agency, longest first: 高青县常家镇人民政府 -> also 常家镇人民政府,
    高青县常家镇, 常家镇 (region prefixes and 人民政府 taken off; never a generic word alone)."""
    if not name or len(name) < 2:
        return ()
    forms, rest = {name}, name
    while (m := _REGION.match(rest)) and len(rest) - m.end() >= 2:
        rest = rest[m.end() :]
        forms.add(rest)
    for form in list(forms):
        for suffix in _GENERIC:  # the longest first
            if form.endswith(suffix):
                if len(form) - len(suffix) >= 2:
                    forms.add(form[: -len(suffix)])
                break
    return tuple(sorted((f for f in forms if len(f) >= 3 and f not in _GENERIC), key=lambda f: (-len(f), f)))


def _prepared(text: str, name: str | None) -> str:
    """The text with its short lines ended and the agency's own name in every form taken out."""
    text = _SHORT_LINE.sub("\\1" + _BREAK, text)
    for form in name_forms(name):
        text = text.replace(form, _BREAK)
    return text


def _hashes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Polynomial hashes of every K-piece of the codes, and whether the piece is whole (crosses no 0)."""
    n = len(codes) - K + 1
    if n <= 0:
        return np.empty(0, np.uint64), np.zeros(0, dtype=bool)
    h = codes[:n].copy()
    with np.errstate(over="ignore"):
        for j in range(1, K):
            h = h * _MULT + codes[j : j + n]
    seps = np.concatenate(([0], np.cumsum(codes == 0)))
    return h, seps[K:] == seps[:-K]


def _codes(text: str) -> np.ndarray:
    """The text's code points without noise; 0 where a piece may not cross."""
    cp = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    kind = _kinds()[cp]
    keep = kind != 1
    return np.where(kind[keep] == 2, 0, cp[keep]).astype(np.uint64)


@cache
def boilerplate() -> np.ndarray:
    """Sorted shingles of data/boilerplate.txt (each line on its own)."""
    lines = (DATA / "boilerplate.txt").read_text(encoding="utf-8").splitlines()
    text = _BREAK.join(ln for ln in lines if ln.strip() and not ln.startswith("#"))
    h, whole = _hashes(_codes(text))
    return np.unique(h[whole])


def shingles(text: str, name: str | None = None) -> np.ndarray:
    """The sorted distinct shingles of a prose text, boilerplate and the agency's own name left out."""
    return shingles_many([text], [name])[0]


def shingles_many(texts: list[str], names: list[str | None] | None = None) -> list[np.ndarray]:
    """shingles() of many texts, in a few vectorised passes."""
    if not texts:
        return []
    texts = [_prepared(t, n) for t, n in zip(texts, names or [None] * len(texts))]
    joined = _BREAK.join(texts)
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype="<u4")
    doc = np.repeat(np.arange(len(texts)), [len(t) + 1 for t in texts])[: len(cp)]
    kind = _kinds()[cp]
    keep = kind != 1
    codes = np.where(kind[keep] == 2, 0, cp[keep]).astype(np.uint64)
    doc = doc[keep]
    h, ok = _hashes(codes)
    if len(h) == 0:
        return [np.empty(0, np.uint64) for _ in texts]
    b = boilerplate()
    if len(b):
        # a piece of the boilerplate, and a piece whose every character lies in one (where two meet)
        at = np.minimum(np.searchsorted(b, h), len(b) - 1)
        hit = ok & (b[at] == h)
        starts = np.concatenate(([0], np.cumsum(hit)))
        pos = np.arange(len(codes))
        covered = starts[np.minimum(pos, len(h) - 1) + 1] - starts[np.maximum(pos - K + 1, 0)] > 0
        cum = np.concatenate(([0], np.cumsum(covered)))
        ok &= cum[K : K + len(h)] - cum[: len(h)] < K
    h, d = h[ok], doc[: len(h)][ok]
    out, bounds = [], np.searchsorted(d, np.arange(len(texts) + 1))  # d does not decrease
    for i in range(len(texts)):
        x = np.sort(h[bounds[i] : bounds[i + 1]])
        out.append(x[np.concatenate(([True], x[1:] != x[:-1]))] if len(x) else x)
    return out


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads the polynomial hash over all 64 bits."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def minhash(sh: np.ndarray) -> np.ndarray:
    """One-permutation MinHash of a shingle set: BINS uint32, EMPTY where no shingle fell."""
    sig = np.full(BINS, EMPTY, dtype=np.uint32)
    if len(sh) == 0:
        return sig
    m = _mix(sh)
    bins = (m >> np.uint64(64 - 6)).astype(np.intp)  # 64 bins: the top 6 bits
    vals = (m & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    np.minimum.at(sig, bins, vals)
    return sig


def signature(prose: str, name: str | None = None) -> Signature | None:
    """None for prose too short to compare. `name`: the agency as the report prints it."""
    if len(prose) < MIN_PROSE:
        return None
    sh = shingles(prose, name)
    return Signature(len(sh), minhash(sh).astype("<u4").tobytes())


def share(this: np.ndarray, other: np.ndarray) -> float:
    """The exact share of this report's shingles found in the other's."""
    if len(this) == 0:
        return 0.0
    return len(np.intersect1d(this, other, assume_unique=True)) / len(this)


def estimated_share(a: np.ndarray, b: np.ndarray, na: np.ndarray, nb: np.ndarray) -> np.ndarray:
    """Per row, the signatures' estimate of the share of a's shingles found in b's: Jaccard J from the
    bins that agree, then |a ∩ b| / |a| = J (|a| + |b|) / ((1 + J) |a|)."""
    used = ~((a == EMPTY) & (b == EMPTY))
    agree = ((a == b) & used).sum(axis=1)
    j = agree / np.maximum(used.sum(axis=1), 1)
    na, nb = na.astype(np.float64), nb.astype(np.float64)
    return np.minimum(1.0, j * (na + nb) / np.maximum((1 + j) * na, 1))
