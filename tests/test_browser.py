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

import contextlib
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


@contextlib.contextmanager
def _serve(script: Path, args: list[str], env: dict | None = None):
    """`streamlit run script -- args` on a free port of 127.0.0.1, as a user would see it (viewer toolbar,
    no error details); its URL once it answers, the server stopped afterwards."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true"]
        + ["--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
        + ["--client.toolbarMode", "viewer", "--client.showErrorDetails", "none", "--server.fileWatcherType", "none"]
        + ["--", *args],
        cwd=ROOT,
        env=env,
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
        pytest.fail(f"the dashboard ({script.name}) did not start: " + (proc.stdout.read() if proc.stdout else ""))
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


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
    with _serve(ROOT / "dashboard" / "app.py", ["--db", str(db), "--allow-upload"]) as url:
        yield url, db, root


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


# ---- the review pages, signed in (issue 13) ----------------------------------------------------------

REVIEW_PAGES = {"queue": ("核查", "Review queue"), "supervise": ("督办", "Follow-up"), "agency": ("单位档案", "Agency")}


@pytest.fixture(scope="module")
def signed_in(server, tmp_path_factory):
    """A second dashboard on the same warehouse, signed in as a national reviewer (tests/signed_in_app.py
    sets the session the way the login page does), with its own review store."""
    _, db, _ = server
    root = tmp_path_factory.mktemp("signed-in")
    env = dict(
        os.environ,
        GOVDASH_TEST_ACCOUNT="测试审核员",
        GOVDASH_TEST_ROLE="reviewer",
        GOVREPORT_REVIEW_DB=f"sqlite:///{root / 'review.sqlite'}",
    )
    with _serve(ROOT / "tests" / "signed_in_app.py", ["--db", str(db)], env) as url:
        yield url, db, root


def test_review_pages_signed_in(signed_in, browser):
    url, db, root = signed_in
    shots = Path(os.environ.get("GOVDASH_SHOTS") or root / "screens")
    shots.mkdir(parents=True, exist_ok=True)
    prov, city, county, agency = _county(db)
    where = f"province={quote(prov)}&city={quote(city)}&county={quote(county)}"
    page = browser.new_page(viewport=VIEW)
    failures, heights = [], {}
    for scope, query, lang in (("national", "", "zh"), ("county", where, "zh"), ("national-en", "lang=en", "en")):
        for path, (zh, en) in REVIEW_PAGES.items():
            extra = f"&agency={agency}" if path == "agency" else ""
            seen = _open(page, f"{url}/{path}?{query}{extra}")
            if page.locator("[data-testid=stException]").count():
                failures.append(f"{scope}/{path}: an error box")
            h1 = page.locator("h1").first.inner_text()
            if (zh if lang == "zh" else en) not in h1:
                failures.append(f"{scope}/{path}: title {h1!r}")
            if len(seen["main"].strip()) < 200:
                failures.append(f"{scope}/{path}: looks empty")
            failures += [f"{scope}/{path}: {p}" for p in _problems(seen, lang)]
            if lang == "zh" and re.search(r"\bUpload\b|per file|Drag and drop", seen["main"]):
                failures.append(f"{scope}/{path}: the file uploader speaks English")
            if lang == "zh" and "测试审核员" not in seen["main"] and path != "agency":
                failures.append(f"{scope}/{path}: the account is not named")
            if scope == "national":
                heights[path] = seen["height"]
                if seen["height"] > HEIGHT_BUDGET:
                    failures.append(f"{scope}/{path}: {seen['height']} px tall (budget {HEIGHT_BUDGET})")
            if lang == "zh" and path != "agency":
                _shoot(page, seen, shots / (f"{path}.png" if scope == "national" else f"{path}-county.png"))
    links = page.locator("[data-testid=stSidebar] [data-testid=stPageLink]").all_inner_texts()
    if not any("Review queue" in x for x in links) or not any("Follow-up" in x for x in links):
        failures.append(f"the sidebar does not link the review pages: {links}")
    page.close()
    print("review page heights at national scope (px):", heights)
    print("\n".join(failures))
    assert not failures, failures


def _wait_idle(page) -> None:
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=120_000)
    time.sleep(1.0)


def _seen(page, text: str, shot) -> None:
    """Wait for a text; on a timeout keep a screenshot of what the page showed instead."""
    try:
        page.get_by_text(text).first.wait_for(timeout=60_000)
    except Exception:
        _shoot(page, page.evaluate(READ_PAGE), Path(shot))
        raise


def test_a_finding_walks_to_notified_and_a_doubt_to_a_correction(signed_in, browser):
    """As a reviewer would: confirm a report problem on 核查, notify it with a deadline on 督办; correct
    the value of a reading doubt on 核查. The review store then holds each step, in the account's name."""
    from collections import Counter

    from etl.review import corrections, queries
    from etl.review.store import open_store
    from etl.review.warehouse import read_findings

    url, db, root = signed_in
    found = read_findings(db).findings.values()
    report = [f for f in found if f.origin == "report" and f.severity in ("error", "warning") and f.county and f.city]
    place = Counter((f.province, f.city, f.county, f.year) for f in report).most_common(1)[0][0]
    here = [f for f in report if (f.province, f.city, f.county, f.year) == place]
    rule = Counter(f.rule for f in here).most_common()[-1][0]  # the rarest rule there: a small batch
    batch = {f.finding_id for f in here if f.rule == rule}
    prov, city, county, year = place
    where = f"province={quote(prov)}&city={quote(city)}&county={quote(county)}&year={year}"
    page = browser.new_page(viewport=VIEW)

    _open(page, f"{url}/queue?{where}&origin=report&rule={rule}")
    form = page.locator("[data-testid=stForm]").first
    form.locator("textarea").fill("已与原文核对，确属报告错误")
    form.get_by_text("对列出的全部").click()
    form.get_by_role("button", name="确认").click()
    _seen(page, f"已处理 {len(batch)} 项", root / "failure-confirm.png")

    _open(page, f"{url}/supervise?{where}")
    grid = page.locator("[data-testid=stDataFrame]").first
    grid.scroll_into_view_if_needed()
    time.sleep(1)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 18)  # the header's tick box: every row
    _wait_idle(page)
    notify = page.locator("[data-testid=stForm]").first
    notify.locator("input[type=text]").last.fill("请于期限内整改并报送")
    notify.get_by_role("button", name=re.compile("通知整改")).click()
    _seen(page, f"已通知 {len(batch)} 项", root / "failure-notify.png")

    doubt = next(f for f in found if f.origin == "reading" and f.severity in ("error", "warning") and f.year)
    _open(page, f"{url}/queue?origin=reading&year={doubt.year}&finding={doubt.finding_id}")
    fix = page.locator("[data-testid=stForm]").nth(2)
    fix.get_by_label("正确的数值（留空表示空白）").fill("7")
    fix.get_by_label("理由（必填）").fill("与原件核对")
    fix.get_by_role("button", name="保存更正").click()
    _seen(page, "已保存更正（第 1 版", root / "failure-correction.png")
    page.close()

    with open_store(db, f"sqlite:///{root / 'review.sqlite'}") as store:
        rows = queries.states(store, batch)
        assert {r.state for r in rows.values()} == {"已通知"} and len(rows) == len(batch)
        one = next(iter(batch))
        steps = [(h.account, h.to_state) for h in queries.history(store, one)]
        assert steps == [("测试审核员", "已确认"), ("测试审核员", "已通知")]
        stored = {k: (v.state, v.rule, v.year) for k, v in queries.states(store).items() if v.origin == "reading"}
        assert stored.get(doubt.finding_id, ("",))[0] == "已更正", (doubt, stored)
        v = corrections.versions(store, doubt.report_sha256)
        assert v[-1].value_after == 7 and v[-1].account == "测试审核员"


# ---- accounts: the login page, and a scoped reviewer in a real browser ---------------------------------


@pytest.fixture(scope="module")
def auth_server(server, tmp_path_factory):
    """The same warehouse served with `--auth required` and a review store of its own holding a
    reviewer of the city that has the county with the most reports."""
    from etl.review.accounts import Accounts
    from etl.review.store import open_store

    _, db, _ = server
    root = tmp_path_factory.mktemp("auth")
    review = f"sqlite:///{root / 'review.sqlite'}"
    prov, city, _, _ = _county(db)
    with open_store(db, review) as store:
        Accounts(store).add("赣南审核员", "Browser-测试-口令-2025", "reviewer", f"{prov}/{city}")
    args = ["--db", str(db), "--auth", "required", "--review-db", review]
    with _serve(ROOT / "dashboard" / "app.py", args) as url:
        yield url, db, prov, city


def _settle(page) -> dict:
    page.wait_for_selector("h1", timeout=120_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=120_000)
    time.sleep(1.0)
    return page.evaluate(READ_PAGE)


def test_login_page_then_a_scoped_reviewer_sees_only_the_scope(auth_server, browser, tmp_path):
    url, db, prov, city = auth_server
    shots = Path(os.environ.get("GOVDASH_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(db), read_only=True) as con:
        other = con.execute(
            "SELECT province FROM agencies WHERE province IS NOT NULL AND province <> ?"
            " GROUP BY 1 ORDER BY count(*) DESC",
            [prov],
        ).fetchone()[0]
    page = browser.new_page(viewport=VIEW)
    for lang, title in (("zh", "登录"), ("en", "Sign in")):  # anonymous: the login page and nothing else
        page.goto(f"{url}/compliance?province={quote(other)}" + ("&lang=en" if lang == "en" else ""))
        seen = _settle(page)
        assert page.locator("h1").first.inner_text().strip() == title
        assert not page.locator("[data-testid=stSidebar] [data-testid=stPageLink]").count()
        assert not page.locator("[role=dialog]").count(), page.locator("[role=dialog]").first.inner_text()
        assert "合规监测" not in seen["main"] + seen["side"] and other not in seen["main"] + seen["side"]
        assert not _problems(seen, lang), _problems(seen, lang)
        _shoot(page, seen, shots / ("login.png" if lang == "zh" else "login-en.png"))
    page.goto(f"{url}/")
    _settle(page)
    page.get_by_label("用户名").fill("赣南审核员")
    page.get_by_label("密码").fill("Browser-测试-口令-2025")
    page.get_by_role("button", name="登录").click()
    page.wait_for_function(
        "() => document.querySelector('h1') && document.querySelector('h1').innerText.includes('总览')"
    )
    seen = _settle(page)
    assert (
        city in page.locator("h1").first.inner_text()
        and "赣南审核员" in seen["side"]
        and f"{prov}/{city}" in seen["side"]
    )
    assert not _problems(seen, "zh"), _problems(seen, "zh")
    for path in ("", "compliance", "regions"):  # another province asked for by the link: refused by name
        page.goto(f"{url}/{path}?province={quote(other)}")
        seen = _settle(page)
        assert "不在您的账户范围" in seen["main"], path
        assert city in page.locator("h1").first.inner_text(), path
        assert other not in seen["main"].replace(f"province={other}", ""), path
        assert other not in seen["side"] and " ".join(seen["svg"]).count(other) == 0, path
    page.reload()  # a reload keeps the login (the session cookie), and the scope with it
    seen = _settle(page)
    assert "登录" != page.locator("h1").first.inner_text().strip() and "赣南审核员" in seen["side"]
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_function(
        "() => document.querySelector('h1') && document.querySelector('h1').innerText.trim() === '登录'"
    )
    page.reload()  # and after a logout a reload does not sign in again
    _settle(page)
    assert page.locator("h1").first.inner_text().strip() == "登录"
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
