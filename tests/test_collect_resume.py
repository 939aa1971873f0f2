"""The collect command as a person runs it: a crawl killed half-way resumes without fetching
again what it has; the command line's messages and exit codes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from mocksite.sites import big_site, start_sites

from etl.collect.crawl import CollectOptions
from etl.collect.fetch import Options
from etl.collect.manifest import read_manifests
from etl.collect.run import collect
from etl.collect.seeds import from_file

ENV = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


def etl(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "etl", *args], capture_output=True, text=True, timeout=timeout, env=ENV
    )


def test_killed_crawl_resumes_without_fetching_again(tmp_path):
    n = 60
    site = big_site(n, per_page=10)
    try:
        seeds = tmp_path / "seeds.txt"
        seeds.write_text(f"{site.base}/ndbg/index.html 某机关\n", encoding="utf-8")
        out = tmp_path / "out"
        p = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "etl",
                "collect",
                "--seeds",
                str(seeds),
                "--out",
                str(out),
                "--rate",
                "25",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=ENV,
        )
        deadline = time.monotonic() + 60
        while len(site.hits) < 50 and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)
        assert p.returncode == -signal.SIGKILL, "the crawl ended before it could be killed"
        before = len(site.hits)

        con = sqlite3.connect(out / "collect.sqlite")
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT count(*) FROM runs WHERE finished IS NULL").fetchone()[0] == 1
        had = {
            urlsplit(u).path
            for (u,) in con.execute(
                "SELECT url FROM fetches WHERE sha256 IS NOT NULL AND error IS NULL AND kind <> 'robots'"
            )
        }
        con.close()
        assert 30 <= len(had) < 2 * n + 6  # half-way: some but not all

        site.clear_log()
        s = collect(
            from_file(seeds).seeds,
            out,
            CollectOptions(Options(rate=0, timeout=5, trust_env=False), progress=False),
        )
        asked = [h.path for h in site.hits]
    finally:
        site.stop()
    assert s.resumed and s.run == 1
    assert not set(asked) & had  # nothing the killed crawl had recorded was asked for again
    assert "/robots.txt" not in asked  # read in the killed run: kept
    assert len(asked) == len(set(asked))
    assert before + len(asked) <= 2 * n + 6 + 1 + 1  # pages, files, list pages, robots.txt, one in flight
    ms = read_manifests(out)
    assert ms.rejected == ()
    kept = {urlsplit(src.url).path for m in ms.manifests if m.sha256 for src in m.sources}
    assert {f"/ndbg/t{i:05d}.html" for i in range(n)} <= kept
    assert {f"/files/{i:05d}.pdf" for i in range(n)} <= kept
    assert not list((out / "tmp").iterdir())
    con = sqlite3.connect(out / "collect.sqlite")
    assert con.execute("SELECT count(*) FROM runs WHERE finished IS NULL").fetchone()[0] == 0  # the run is done
    con.close()
    print(f"killed after {before} requests with {len(had)} URLs kept; the resumed crawl asked {len(asked)} more")


def test_collect_command_line(tmp_path):
    sites = start_sites()
    try:
        reg = sites.registry_csv(tmp_path / "registry.csv")
        out = tmp_path / "out"
        p = etl(
            "collect",
            "--registry",
            str(reg),
            "--out",
            str(out),
            "--rate",
            "0",
            "--timeout",
            "0.5",
            "--retries",
            "1",
        )
    finally:
        sites.stop()
    assert p.returncode == 0, p.stderr
    assert (
        "采集完成（第 1 次采集" in p.stdout and "获取失败 3 个" in p.stdout and "栏目 3 个（无法打开 0 个）" in p.stdout
    )
    assert len(read_manifests(out).manifests) > 20
    assert not sites.other.hits


def test_collect_bad_arguments_and_inputs(tmp_path):
    reg = tmp_path / "r.csv"
    reg.write_text("name,kind\n甲局,department\n", encoding="utf-8")
    p = etl("collect", "--registry", str(reg), "--out", str(tmp_path / "o"), "--since", "2024/01/01")
    assert p.returncode == 2 and "--since 的格式" in p.stderr
    assert etl("collect", "--registry", str(reg)).returncode == 2  # no --out
    assert etl("collect", "--registry", str(reg), "--seeds", str(reg), "--out", "o").returncode == 2
    p = etl("collect", "--registry", str(reg), "--out", str(tmp_path / "o"))
    assert p.returncode == 1 and "没有可采集的栏目地址" in p.stderr and "column_url" in p.stderr
    p = etl("collect", "--seeds", str(tmp_path / "missing.txt"), "--out", str(tmp_path / "o"))
    assert p.returncode == 1 and p.stderr.startswith("采集失败：无法读取网址列表") and len(p.stderr.splitlines()) == 1
    p = etl("collect", "--seeds", str(reg), "--out", str(tmp_path / "o"), "--rate", "-1")
    assert p.returncode == 2 and "--rate" in p.stderr
    assert not Path(tmp_path / "o").exists()


def test_ctrl_c_stops_soon_and_the_next_run_resumes(tmp_path):
    site = big_site(40, per_page=10)
    try:
        seeds = tmp_path / "seeds.txt"
        seeds.write_text(f"{site.base}/ndbg/index.html\n", encoding="utf-8")
        out = tmp_path / "out"
        p = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "etl",
                "collect",
                "--seeds",
                str(seeds),
                "--out",
                str(out),
                "--rate",
                "20",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        deadline = time.monotonic() + 60
        while len(site.hits) < 20 and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        p.send_signal(signal.SIGINT)
        pressed = time.monotonic()
        _, err = p.communicate(timeout=30)
        assert p.returncode == 130 and "已中断" in err and time.monotonic() - pressed < 3
        s = collect(from_file(seeds).seeds, out, CollectOptions(Options(rate=0, trust_env=False), progress=False))
    finally:
        site.stop()
    assert s.resumed and s.counts["reused"] > 0
    kept = {urlsplit(src.url).path for m in read_manifests(out).manifests if m.sha256 for src in m.sources}
    assert {f"/files/{i:05d}.pdf" for i in range(40)} <= kept
