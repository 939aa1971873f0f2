"""One real-browser check: headless Chromium (Debian's package, driven by Playwright) opens
every page of a running dashboard, takes a screenshot, and fails on an error box or an
empty page."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import FIXTURES

from etl.demo.generate import generate
from etl.pipeline import run_load

ROOT = Path(__file__).parents[1]
PAGES = {
    "": "总览",
    "trends": "趋势",
    "regions": "地区",
    "compliance": "合规监测",
    "applications": "依申请公开",
    "review": "复议诉讼",
    "agency": "单位档案",
    "data": "数据",
    "definitions": "口径说明",
}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    generate(root / "corpus", seed=8, scale="small")
    db = root / "w.duckdb"
    run_load(
        [str(root / "corpus"), str(FIXTURES / "samples")],
        db,
        str(root / "corpus" / "registry.csv"),
        jobs=1,
        progress=False,
    )
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "dashboard" / "app.py"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            "--",
            "--db",
            str(db),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("the dashboard did not start: " + (proc.stdout.read() if proc.stdout else ""))
    yield url, root
    proc.terminate()
    proc.wait(timeout=20)


def test_every_page_in_chromium(server):
    assert Path(CHROMIUM).exists(), "Chromium is missing: make system-deps (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    url, root = server
    shots = root / "screens"
    shots.mkdir()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for path, title in PAGES.items():
            extra = "&agency=1" if path == "agency" else ""
            page.goto(f"{url}/{path}?year=2023{extra}")
            page.wait_for_selector("h1", timeout=60_000)
            page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000)
            time.sleep(0.5)
            page.screenshot(path=str(shots / f"{path or 'overview'}.png"), full_page=True)
            assert page.locator("[data-testid=stException]").count() == 0, f"error box on {path or 'overview'}"
            assert title in page.locator("h1").first.inner_text()
            body = page.locator("[data-testid=stMain]").inner_text()
            assert len(body.strip()) > 200, f"{path or 'overview'} looks empty"
            assert "演示数据" in body
        browser.close()
    assert len(list(shots.glob("*.png"))) == len(PAGES)
