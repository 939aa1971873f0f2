"""Copy detection: shingles of a report's prose, its MinHash signature, and the exact share of one
report's prose found in another's.

- Shingles are 6-character pieces of each sentence, with digits, spaces and punctuation left out
  (a copied report with this year's numbers is still a copy), the report's own agency name left
  out (a copy with the name changed is a copy), and every piece of the format's own headings and
  the regulations' sentences (data/boilerplate.txt) left out: what every report must print is not
  copying.
- The signature is a one-permutation MinHash (Li, Owen and Zhang 2012): each shingle's 64-bit hash
  falls into one of 64 bins by its top bits and the bin keeps the smallest of the rest, so two
  signatures agree in a bin with probability equal to the Jaccard similarity of the two sets. It is
  made once per report, in the parse worker, and stored in the warehouse (prose_signatures).
- Candidates: the year before of the same agency when the signatures estimate the share at 0.8 or
  more; other agencies of the same region and year that share a band of 4 bins (16 bands, LSH, in
  DuckDB). Only candidates are compared exactly: the share of this report's shingles found in the
  other's, the measure and the 90 % threshold the copied-text check has always used.
"""

from __future__ import annotations

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

_SENTENCE_END = "。；！？!?;\n"
_NOISE = "0123456789０１２３４５６７８９ \t\r\u3000\xa0，、：:,.()（）“”‘’《》〈〉【】[]<>-—–_/|·…%％\"'`~～*＊#＃+＝="
_MULT = np.uint64(0x100000001B3)


@dataclass(frozen=True)
class Signature:
    """A report's prose as copy detection sees it: how many distinct shingles, and the MinHash."""

    shingles: int
    minhash: bytes  # BINS little-endian uint32

    def array(self) -> np.ndarray:
        return np.frombuffer(self.minhash, dtype="<u4")


@cache
def _kinds() -> np.ndarray:
    """Per code point: 0 kept, 1 left out (digits, spaces, punctuation), 2 the end of a sentence."""
    table = np.zeros(0x110000, dtype=np.uint8)
    table[[ord(c) for c in _NOISE]] = 1
    table[[ord(c) for c in _SENTENCE_END]] = 2
    return table


def _codes(text: str) -> np.ndarray:
    """The text's code points without noise; 0 where a sentence ends."""
    cp = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    kind = _kinds()[cp]
    keep = kind != 1
    return np.where(kind[keep] == 2, 0, cp[keep]).astype(np.uint64)


def _raw_shingles(text: str) -> np.ndarray:
    """Polynomial hashes of every 6-character piece inside one sentence (none across sentences)."""
    cp = _codes(text)
    n = len(cp) - K + 1
    if n <= 0:
        return np.empty(0, np.uint64)
    h = cp[:n].copy()
    with np.errstate(over="ignore"):
        for j in range(1, K):
            h = h * _MULT + cp[j : j + n]
    seps = np.concatenate(([0], np.cumsum(cp == 0)))
    return h[seps[K:] == seps[:-K]]


@cache
def boilerplate() -> np.ndarray:
    """Sorted shingles of data/boilerplate.txt."""
    lines = (DATA / "boilerplate.txt").read_text(encoding="utf-8").splitlines()
    text = "\n".join(ln for ln in lines if ln.strip() and not ln.startswith("#"))
    return np.unique(_raw_shingles(text))


def _unnamed(text: str, name: str | None) -> str:
    """The text without the report's own agency name (a copy with the name changed is a copy)."""
    return text.replace(name, "\n") if name and len(name) >= 2 else text


def shingles(text: str, name: str | None = None) -> np.ndarray:
    """The sorted distinct shingles of a prose text, boilerplate and the agency's own name left out."""
    h = np.sort(_raw_shingles(_unnamed(text, name)))
    if len(h) == 0:
        return h
    h = h[np.concatenate(([True], h[1:] != h[:-1]))]  # distinct (np.unique is several times slower)
    b = boilerplate()
    at = np.minimum(np.searchsorted(h, b), len(h) - 1)  # where each boilerplate shingle would be
    keep = np.ones(len(h), dtype=bool)
    keep[at[h[at] == b]] = False
    return h[keep]


def shingles_many(texts: list[str], names: list[str | None] | None = None) -> list[np.ndarray]:
    """shingles() of many texts at once (the same arrays, made in a few vectorised passes)."""
    if not texts:
        return []
    if names is not None:
        texts = [_unnamed(t, n) for t, n in zip(texts, names)]
    joined = "\n".join(texts)
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype="<u4")
    doc = np.repeat(np.arange(len(texts)), [len(t) + 1 for t in texts])[: len(cp)]
    kind = _kinds()[cp]
    keep = kind != 1
    codes = np.where(kind[keep] == 2, 0, cp[keep]).astype(np.uint64)
    doc = doc[keep]
    n = len(codes) - K + 1
    if n <= 0:
        return [np.empty(0, np.uint64) for _ in texts]
    h = codes[:n].copy()
    with np.errstate(over="ignore"):
        for j in range(1, K):
            h = h * _MULT + codes[j : j + n]
    seps = np.concatenate(([0], np.cumsum(codes == 0)))
    ok = seps[K:] == seps[:-K]
    h, d = h[ok], doc[:n][ok]
    b = boilerplate()
    if len(b):
        at = np.minimum(np.searchsorted(b, h), len(b) - 1)
        ok = b[at] != h
        h, d = h[ok], d[ok]
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
