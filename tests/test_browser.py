"""The dashboard in a real browser: headless Chromium (Debian's package, driven by Playwright) opens
every page at national and county scope in Chinese, and at national scope in English, at 1440×900,
and fails on what a reader would see go wrong: an error box, an empty page, leaked internals
(DeltaGenerator, Traceback, None/nan shown as values, internal codes such as t3__granted__total or
t3_balance), Streamlit's English placeholders in Chinese mode, a "Deploy" button, chart text cut
off at a chart's edge, a page taller than its budget at national scope. A click on the map drills
into the region.

By default it builds a small warehouse. `GOVDASH_TEST_DB=data/warehouse.duckdb` runs it on the demo
warehouse instead, and `GOVDASH_SHOTS=docs/screenshots` keeps the screenshots there (how the
README's pictures are made)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import duckdb
import pytest
from conftest import FIXTURES

from dashboard.metrics import METRICS
from etl.demo.generate import generate
from etl.pipeline import run_load
from etl.registry.fields import FIELDS
from etl.registry.rules import RULES

ROOT = Path(__file__).parents[1]
PAGES = {
    "": "总览",
    "compliance": "合规监测",
    "trends": "趋势",
    "regions": "地区",
    "compare": "对比",
    "applications": "依申请公开",
    "review": "复议诉讼",
    "agency": "单位档案",
    "data": "数据",
    "definitions": "口径说明",
}
ENGLISH = {
    "": "Overview",
    "compliance": "Compliance",
    "trends": "Trends",
    "regions": "Regions",
    "compare": "Compare",
    "applications": "Applications",
    "review": "Reconsideration",
    "agency": "Agency record",
    "data": "Data",
    "definitions": "Definitions",
}
HEIGHT_BUDGET = 5000  # px at 1440 wide, national scope: a page is a summary with lists that scroll inside
VIEW = {"width": 1440, "height": 900}
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
CODES = {f.key for f in FIELDS} | {r.id for r in RULES if "_" in r.id} | {m.key for m in METRICS if "_" in m.key}
LEAKS = re.compile(r"DeltaGenerator|Traceback|\bNone\b|\bnan\b|\bNaN\b|\bundefined\b|streamlit\.|<[a-z]+ [a-z]+=")
STREAMLIT_ENGLISH = re.compile(
    r"Choose options|Choose an option|Select\.\.\.|No options to select|No results|Press Enter"
)

# every text of the main area and the sidebar as a reader sees it: visible text, chart text (SVG),
# placeholders of inputs, and whether a chart's text runs past its chart's edge
READ_PAGE = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  const side = document.querySelector('[data-testid=stSidebar]');
  const svgText = [];
  const clipped = [];
  for (const svg of document.querySelectorAll('.js-plotly-plot svg.main-svg')) {
    const box = svg.getBoundingClientRect();
    if (box.width === 0) continue;
    for (const t of svg.querySelectorAll('text')) {
      const s = t.textContent.trim();
      if (!s) continue;
      svgText.push(s);
      const r = t.getBoundingClientRect();
      if (r.width === 0) continue;
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
        clipped.push(s);
      }
    }
  }
  const placeholders = Array.from(document.querySelectorAll('[placeholder]')).map(e => e.getAttribute('placeholder'));
  return {
    main: main.innerText,
    side: side ? side.innerText : '',
    svg: svgText,
    clipped: clipped,
    placeholders: placeholders,
    height: Math.max(main.scrollHeight, document.querySelector('[data-testid=stMainBlockContainer]').scrollHeight),
    deploy: Array.from(document.querySelectorAll('[data-testid=stToolbar] button, [data-testid=stAppDeployButton]'))
      .some(b => /deploy/i.test(b.innerText) || b.getAttribute('data-testid') === 'stAppDeployButton'),
  };
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    db = os.environ.get("GOVDASH_TEST_DB")
    if db:
        db = Path(db).resolve()
    else:
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
            "--client.toolbarMode",
            "viewer",
            "--client.showErrorDetails",
            "none",
            "--server.fileWatcherType",
            "none",
            "--",
            "--db",
            str(db),
            "--allow-upload",
        ],
        cwd=ROOT,
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
    yield url, db, root
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Chromium is missing: make system-deps (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def _county(db: Path) -> tuple[str, str, str, int]:
    """The county with the most reports, and an agency of it."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            """SELECT a.province, a.city, a.county, min(a.agency_id) FROM reports r JOIN agencies a USING (agency_id)
               WHERE a.county IS NOT NULL AND a.city IS NOT NULL GROUP BY 1, 2, 3 ORDER BY count(*) DESC LIMIT 1"""
        ).fetchone()


def _open(page, url: str) -> dict:
    page.set_viewport_size(VIEW)
    page.goto(url)
    page.wait_for_selector("h1", timeout=120_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=120_000)
    time.sleep(1.0)  # charts draw after the last message
    return page.evaluate(READ_PAGE)


def _shoot(page, seen: dict, path: Path) -> None:
    page.set_viewport_size({"width": VIEW["width"], "height": max(VIEW["height"], min(seen["height"] + 60, 12_000))})
    time.sleep(0.8)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(VIEW)
    if os.environ.get("GOVDASH_SHOTS"):  # kept in the repository: 256 colours are plenty, at a third the size
        from PIL import Image

        with Image.open(path) as im:
            im.convert("RGB").quantize(256, dither=Image.Dither.NONE).save(path, optimize=True)


def _problems(seen: dict, lang: str) -> list[str]:
    out = []
    text = "\n".join([seen["main"], seen["side"], *seen["svg"], *(p or "" for p in seen["placeholders"])])
    out += [f"leak {m!r}" for m in LEAKS.findall(text)]
    out += [f"code {w!r}" for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text) if w in CODES]
    if lang == "zh":
        out += [f"English placeholder {m!r}" for m in STREAMLIT_ENGLISH.findall(text)]
    out += [f"clipped chart text {s!r}" for s in seen["clipped"]]
    if seen["deploy"]:
        out.append("a Deploy button in the toolbar")
    return out


def test_every_page_at_every_scope(server, browser):
    url, db, root = server
    shots = Path(os.environ.get("GOVDASH_SHOTS") or root / "screens")
    shots.mkdir(parents=True, exist_ok=True)
    prov, city, county, agency = _county(db)
    where = f"province={quote(prov)}&city={quote(city)}&county={quote(county)}"
    page = browser.new_page(viewport=VIEW)
    failures, heights = [], {}
    for scope, query, lang in (("national", "", "zh"), ("county", where, "zh"), ("national-en", "lang=en", "en")):
        for path, title in PAGES.items():
            name = path or "overview"
            extra = f"&agency={agency}" if path == "agency" else ""
            seen = _open(page, f"{url}/{path}?{query}{extra}")
            if page.locator("[data-testid=stException]").count():
                failures.append(f"{scope}/{name}: an error box")
            h1 = page.locator("h1").first.inner_text()
            want = title if lang == "zh" else ENGLISH[path]
            if want not in h1:
                failures.append(f"{scope}/{name}: title {h1!r}")
            if len(seen["main"].strip()) < 200:
                failures.append(f"{scope}/{name}: looks empty")
            if ("演示数据" if lang == "zh" else "Demo data") not in seen["main"]:
                failures.append(f"{scope}/{name}: no demo-data notice")
            failures += [f"{scope}/{name}: {p}" for p in _problems(seen, lang)]
            if scope == "national":
                heights[name] = seen["height"]
                if seen["height"] > HEIGHT_BUDGET:
                    failures.append(f"{scope}/{name}: {seen['height']} px tall (budget {HEIGHT_BUDGET})")
            if lang == "zh":
                _shoot(page, seen, shots / (f"{name}.png" if scope == "national" else f"{name}-county.png"))
    page.close()
    print("page heights at national scope (px):", heights)
    print("\n".join(failures))
    assert not failures, failures


def test_navigation_keeps_language_and_year(server, browser):
    url, db, _ = server
    with duckdb.connect(str(db), read_only=True) as con:
        year = con.execute("SELECT min(year) FROM reports").fetchone()[0]
    page = browser.new_page(viewport=VIEW)
    _open(page, f"{url}/?lang=en&year={year}")
    page.get_by_role("link", name="Trends").click()
    page.wait_for_url(re.compile(r"/trends"), timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=120_000)
    assert "lang=en" in page.url and f"year={year}" in page.url, page.url
    assert "Trends" in page.locator("h1").first.inner_text()
    page.close()


def test_a_click_on_the_map_drills_in(server, browser):
    url, _, _ = server
    page = browser.new_page(viewport=VIEW)
    _open(page, f"{url}/regions")
    page.wait_for_selector(".js-plotly-plot path.point", timeout=60_000)
    time.sleep(1)
    x, y = page.evaluate(
        """() => { const r = document.querySelector('.js-plotly-plot path.point').getBoundingClientRect();
                   return [r.x + r.width / 2, r.y + r.height / 2]; }"""
    )
    page.mouse.move(x, y)
    time.sleep(0.5)
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(r"province="), timeout=60_000)
    page.wait_for_function("() => !document.querySelector('h1').innerText.includes('全国')", timeout=60_000)
    assert "地区" in page.locator("h1").first.inner_text()
    page.close()


def test_a_click_on_the_compliance_grid_opens_the_agency(server, browser):
    url, _, _ = server
    page = browser.new_page(viewport=VIEW)
    _open(page, f"{url}/compliance")
    grid = page.locator("[class*=st-key-compliance_grid_]")
    cell = grid.locator("g.trace.bars path").nth(3)
    cell.wait_for(timeout=60_000)
    cell.scroll_into_view_if_needed()
    time.sleep(1)
    box = cell.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    time.sleep(0.5)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    link = page.locator("[data-testid=stMain] [data-testid=stPageLink] a", has_text="单位档案")
    link.wait_for(timeout=60_000)
    link.click()
    page.wait_for_url(re.compile(r"/agency\?.*agency=\d+"), timeout=60_000)
    page.wait_for_function(
        "() => document.querySelector('h1') && document.querySelector('h1').innerText.includes('单位档案')"
    )
    page.close()


def test_upload_page(server, browser):
    """Drop the README's sample, a file that is no report and a zip-slip zip: each shown with its result
    in words before loading (the screenshot docs/screenshots/upload.png); on the test warehouse, load
    the sample and see the result. (On GOVDASH_TEST_DB the warehouse is not written to.)"""
    import io
    import zipfile

    url, db, root = server
    shots = Path(os.environ.get("GOVDASH_SHOTS") or root / "screens")
    shots.mkdir(parents=True, exist_ok=True)
    slip = io.BytesIO()
    with zipfile.ZipFile(slip, "w") as z:
        z.writestr("../../etc/cron.d/report.txt", "x")
    sample = FIXTURES / "real" / "dev" / "full-001.txt"
    page = browser.new_page(viewport=VIEW)
    empty = _open(page, f"{url}/upload")
    assert "上传" in page.locator("h1").first.inner_text()
    assert "Upload" not in empty["main"] and "per file" not in empty["main"]  # Streamlit's own words replaced
    assert "选择文件" in page.evaluate(
        "() => getComputedStyle(document.querySelector("
        "'[data-testid=stFileUploaderDropzone] button [data-testid=stMarkdownContainer]'), '::after').content"
    )
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(
        [
            {"name": sample.name, "mimeType": "text/plain", "buffer": sample.read_bytes()},
            {"name": "会议通知.txt", "mimeType": "text/plain", "buffer": "关于召开会议的通知".encode()},
            {"name": "批量上传.zip", "mimeType": "application/zip", "buffer": slip.getvalue()},
        ]
    )
    page.get_by_text("检查结果").wait_for(timeout=120_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=120_000)
    page.locator("[data-testid=stDataFrame] canvas").first.wait_for(timeout=60_000)
    time.sleep(3)  # the table draws on its canvas after the last message
    seen = page.evaluate(READ_PAGE)
    assert "共 3 个文件：可以入库 1 个，不予接收 2 个" in seen["main"], seen["main"][:2000]
    assert "不是政府信息公开工作年度报告" in seen["main"] and "压缩包以外" in seen["main"]
    assert not page.locator("[data-testid=stException]").count()
    assert not _problems(seen, "zh"), _problems(seen, "zh")
    _shoot(page, seen, shots / "upload.png")
    if not os.environ.get("GOVDASH_TEST_DB"):
        page.get_by_role("button", name=re.compile("入库所选的")).click()
        page.get_by_text("入库完成").wait_for(timeout=180_000)
        with duckdb.connect(str(db), read_only=True) as con:
            found = con.execute("SELECT count(*) FROM reports WHERE agency_printed = '平潭综合实验区'").fetchone()
        assert found == (1,)
    page.close()
