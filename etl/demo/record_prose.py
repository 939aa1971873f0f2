"""Prose of realistic length and repetition for the generated records (etl.demo.records), made fast
enough for a million reports, with the signature a parse worker would make of it.

- Length: per agency a target drawn log-normally around 2,200 characters (calibration.md: the
  prose of 30 real reports runs 900–6,600 characters, median 2,200), kept within 1,000–8,000.
- Sentences come from a pool of 100,000 made of two-character words cut from the demo corpus's
  sentence banks, so that two agencies' texts share words and phrases but hardly a sentence.
- Repetition: each year an agency keeps a share of last year's sentences (30–80 %, "much of an
  agency's prose repeats from year to year") and writes the rest anew; at the recipe's rates a
  report repeats last year's text whole (copied_text) or is another agency's of the same county
  and year with the name changed (copied_from_peer).
- The signature: shingles never cross a sentence end (etl.check.copies), so the shingles of a text
  made of pool sentences are the union of the sentences' shingles, computed once per sentence, and
  of the few sentences around them that name the agency. The result equals copies.signature(prose)
  exactly (tests/test_copies.py checks it).
- Speed: a body of sentences is made per history and year (etl.demo.records reuses a pool of
  histories under different agencies, in different counties, so that a text is never compared with
  its twin); a record only writes its agency's name around it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np

from etl.check import copies
from etl.demo import prose as demo_prose

POOL = 100_000
HEAD_1 = "一、总体情况"
HEAD_5 = "五、存在的主要问题及改进情况"
HEAD_6 = "六、其他需要报告的事项\n本年度未收取政府信息公开信息处理费。"
OPENING = "认真贯彻落实《中华人民共和国政府信息公开条例》，扎实推进政府信息公开工作。"


@cache
def pool() -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The sentences; all their shingles (boilerplate left out) one sentence after the other, and
    each shingle's MinHash bin and value (bin * 2**32 + value); where each sentence's start and how
    many it has. Made once per process."""
    banks = [demo_prose.ACTIVE, demo_prose.APPLY, demo_prose.MANAGE, demo_prose.PLATFORM, demo_prose.SUPERVISE]
    banks += [demo_prose.PROBLEMS, demo_prose.IMPROVE]
    text = "".join(s for bank in banks for s in bank)
    text = "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")
    words = sorted({text[i : i + 2] for i in range(0, len(text) - 1)})
    rng = np.random.default_rng(20240131)
    lengths = rng.integers(9, 20, size=POOL)  # words per sentence: 18-40 characters
    picks = rng.integers(0, len(words), size=int(lengths.sum()))
    sentences, at = [], 0
    for n in lengths:
        body = "".join(words[j] for j in picks[at : at + n])
        at += n
        cut = len(body) // 2  # a comma inside the sentence, as prose has
        sentences.append(f"{body[:cut]}，{body[cut:]}。")
    sh = copies.shingles_many(sentences)
    counts = np.array([len(x) for x in sh])
    flat = np.concatenate(sh)
    return sentences, flat, _binned(flat), np.concatenate(([0], np.cumsum(counts)[:-1])), counts


def _binned(sh: np.ndarray) -> np.ndarray:
    m = copies._mix(sh)
    return ((m >> np.uint64(58)) << np.uint64(32)) | (m & np.uint64(0xFFFFFFFF))


@lru_cache(maxsize=4096)
def _own(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Shingles and MinHash of the sentences written around the pool's (digits are not shingled, so
    the year and the numbers do not change them)."""
    text = f"{HEAD_1}\n2000年，{name}{OPENING}全年主动公开政府信息0条，收到政府信息公开申请0件。\n{HEAD_5}\n{HEAD_6}"
    sh = copies.shingles(text, name)
    return sh, copies.minhash(sh)


def target_length(rng: np.random.Generator) -> int:
    return int(min(8000, max(1000, rng.lognormal(math.log(2200), 0.45))))


def sentence_ids(rng: np.random.Generator, length: int, last: np.ndarray | None, keep: float) -> np.ndarray:
    """This year's sentences: a share of last year's, in order, and new ones up to the length."""
    n = max(8, length // 30)
    if last is None:
        return rng.integers(0, POOL, size=n)
    kept = last[np.sort(rng.choice(len(last), size=min(len(last), int(len(last) * keep)), replace=False))]
    return np.concatenate([kept, rng.integers(0, POOL, size=max(0, n - len(kept)))])


@dataclass(frozen=True)
class Body:
    """One year's sentences of an agency, written out, with their shingles and MinHash."""

    part1: str  # section 一 after its opening sentence
    part5: str  # section 五
    shingles: np.ndarray  # sorted, distinct
    minhash: np.ndarray


def body(ids: np.ndarray) -> Body:
    sentences, flat, binned, starts, counts = pool()
    n = counts[ids]
    at = np.repeat(starts[ids] - np.cumsum(n) + n, n) + np.arange(n.sum())  # the sentences' shingles
    sh = np.sort(flat[at])
    keep = np.concatenate(([True], sh[1:] != sh[:-1])) if len(sh) else np.ones(0, dtype=bool)
    keys = binned[at]
    sig = np.full(copies.BINS, copies.EMPTY, dtype=np.uint32)
    np.minimum.at(sig, (keys >> np.uint64(32)).astype(np.intp), (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32))
    ids = ids.tolist()
    half = len(ids) * 3 // 4
    return Body("".join(sentences[i] for i in ids[:half]), "".join(sentences[i] for i in ids[half:]), sh[keep], sig)


def compose(name: str, year: int, b: Body, published: int, applications: int) -> tuple[str, copies.Signature]:
    """The prose of one report and its signature (equal to copies.signature of the prose)."""
    opening = f"{year}年，{name}{OPENING}"
    facts = f"全年主动公开政府信息{published}条，收到政府信息公开申请{applications}件。"
    text = f"{HEAD_1}\n{opening}{b.part1}{facts}\n{HEAD_5}\n{b.part5}\n{HEAD_6}"
    own, own_sig = _own(name)
    at = np.minimum(np.searchsorted(b.shingles, own), max(len(b.shingles) - 1, 0))
    shared = int(np.count_nonzero(b.shingles[at] == own)) if len(b.shingles) else 0
    distinct = len(b.shingles) + len(own) - shared
    return text, copies.Signature(distinct, np.minimum(b.minhash, own_sig).astype("<u4").tobytes())
