"""The `python -m etl parse` command: JSON Lines in input order, bad files do not stop it."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import FIXTURES

KEYS = {
    "source",
    "ok",
    "error",
    "agency",
    "year",
    "publish_date",
    "province",
    "city",
    "county",
    "format_version",
    "sections",
    "t2",
    "t3",
    "t4",
    "narrative",
    "findings",
}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], capture_output=True, text=True, timeout=120)


def test_parse_jsonl(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    files = [
        str(FIXTURES / "samples" / "ganzhou-jkq-2023.txt"),
        str(bad),
        str(FIXTURES / "samples" / "shanghai-2019.html"),
    ]
    p = run("parse", *files)
    assert p.returncode == 0, p.stderr
    objs = [json.loads(line) for line in p.stdout.splitlines()]
    assert [o["source"] for o in objs] == files
    assert all(set(o) == KEYS for o in objs)
    assert [o["ok"] for o in objs] == [True, False, True]
    assert objs[1]["error"] and objs[0]["error"] is None
    assert objs[0]["t3"]["new_received"]["total"] == 0
    assert objs[0]["narrative"]["info_published_total"]["value"] == 4494
    assert {"rule", "severity", "message", "cells"} == set(objs[2]["findings"][0])


def test_help_and_bad_arguments():
    h = run("parse", "--help")
    assert h.returncode == 0 and "JSON" in h.stdout
    assert run("parse").returncode == 2
    assert run("nonsense").returncode == 2
