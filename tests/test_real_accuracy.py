"""Accuracy on the labelled real reports (tests/fixtures/real): the dev set the rules were written
against and the hold-out set nobody read. The hold-out files are parsed here only to be measured,
through bench/score_real.py, which never prints them; nothing here reads their text or labels.

The issue's targets on the hold-out: tables on complete reports at least 98 % right, no report in
a wrong province or city — both asserted. Prose: 95 % right and no wrong number — not reached yet
(see the closing note of the branch); asserted here as floors that may only rise, so that a rule
that generalises worse than today fails."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def scores():
    spec = importlib.util.spec_from_file_location("score_real", ROOT / "bench" / "score_real.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["score_real"] = mod  # its dataclasses look their module up
    spec.loader.exec_module(mod)
    return {s: mod.score(s) for s in mod.SPLITS}


def pct(t) -> float:
    return 100 * t.right / t.total


def test_tables_of_complete_reports(scores):
    for split in ("dev", "holdout"):
        cells = scores[split]["cells"]
        assert pct(cells) >= 98, (split, cells.right, cells.total)
    assert scores["dev"]["cells"].wrong == 0


def test_no_report_in_a_wrong_place(scores):
    for split in ("dev", "holdout"):
        assert scores[split]["places"].wrong == 0, split


def test_prose(scores):
    dev, hold = scores["dev"]["prose"], scores["holdout"]["prose"]
    assert pct(dev) >= 99 and dev.wrong == 0
    # floors: the targets are 95 % and none wrong. The hold-out grew by 33 reports nobody had read
    # (batch xc, split by URL hash, 95 reports in all); on it the rules before the branch `prose`
    # scored 91.8 % with 8 wrong; the floor is what they score now
    assert pct(hold) >= 92.5 and hold.wrong <= 7
