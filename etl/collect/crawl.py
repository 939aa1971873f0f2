"""The walk: for each column, its list pages (following the pager), then each report page it
lists, then each attachment of that page. Every fetch goes through the state, so a killed crawl
resumes without asking again for what it has, and a re-crawl asks conditionally."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections import Counter, deque
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from etl.collect import limits, manifest, sniff
from etl.collect.fetch import Fetcher, Options, Response, Validators
from etl.collect.manifest import CHINA
from etl.collect.pages import Link, Published, ReportPage, html_text, parse_list, parse_report, report_year
from etl.collect.progress import Progress
from etl.collect.seeds import Seed
from etl.collect.state import Fetched, Found, State
from etl.errors import EtlError


@dataclass(frozen=True)
class CollectOptions:
    fetch: Options = Options()
    since: date | None = None  # reports listed or published before this day are left alone
    workers: int = 4  # columns walked at once (each host still gets one request at a time)
    progress: bool = True


@dataclass(frozen=True)
class Got:
    """A URL's content for the walk: fetched now, confirmed unchanged, or already had in this run."""

    ok: bool
    data: bytes | None
    final_url: str
    report: ReportPage | None = None


def now_iso() -> str:
    return datetime.now(CHINA).isoformat(timespec="seconds")


def _text_sha(url: str, data: bytes) -> str | None:
    """A page's article text (navigation, counters and footer left out), hashed: a page "changes"
    when this changes, not when its view counter does."""
    from etl.read import html

    try:
        return hashlib.sha256("\n".join(html.read(url, data).lines).encode()).hexdigest()
    except (EtlError, RecursionError, ValueError):
        return None


class Interrupted(EtlError):
    """Ctrl-C: the columns under way stop; what was fetched is kept and the next run resumes."""


class Crawler:
    def __init__(self, state: State, options: CollectOptions, run_id: int, progress: Progress) -> None:
        self.state = state
        self.options = options
        self.run_id = run_id
        self.progress = progress
        self.fetcher = Fetcher(options.fetch, robots_cache=self._robots_cache, robots_store=self._robots_store)
        self.counts: Counter[str] = Counter()
        self.failures: list[tuple[str, str]] = []
        self.columns_failed: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._url_locks: dict[str, threading.Lock] = {}
        self.stop = threading.Event()  # set on Ctrl-C: the workers stop before their next request

    def _count(self, *keys: str, n: int = 1) -> None:
        with self._lock:
            for k in keys:
                self.counts[k] += n

    # robots.txt through the state: reused for a day (RFC 9309 allows 24 hours), then asked conditionally

    def _robots_cache(self, url: str) -> tuple[str | None, Validators, bool]:
        f = self.state.fetched(url)
        if f is None or f.body is None:
            return None, Validators(), False
        age = datetime.now(CHINA) - datetime.fromisoformat(f.fetched_at)
        fresh = f.run_id == self.run_id or age.total_seconds() < limits.ROBOTS_CACHE_HOURS * 3600
        return f.body, Validators(f.etag, f.last_modified), fresh

    def _robots_store(self, url: str, text: str | None, v: Validators, status: int | None) -> None:
        f = Fetched(
            url,
            "robots",
            self.run_id,
            now_iso(),
            status,
            content_type="text/plain",
            etag=v.etag,
            last_modified=v.last_modified,
            final_url=url,
            body=text,
        )
        with self.state.transaction() as con:
            self.state.record_fetch(con, f)

    # one URL

    def fetch(self, url: str, kind: str, found: Found, site: str, inherited: Published | None = None) -> Got:
        if self.stop.is_set():
            raise Interrupted("采集已中断")
        with self._lock:
            lock = self._url_locks.setdefault(url, threading.Lock())
        with lock:  # two columns listing one URL: the second one reuses the first one's fetch
            return self._fetch(url, kind, found, site, inherited)

    def _fetch(self, url: str, kind: str, found: Found, site: str, inherited: Published | None) -> Got:
        prev = self.state.fetched(url)
        if prev is not None and prev.run_id == self.run_id:
            self._count("reused")
            return self._reuse(prev, kind, found, site, inherited)
        validators = Validators(prev.etag, prev.last_modified) if prev and prev.sha256 else Validators()
        r = self.fetcher.get(url, validators, site, moved=self._moved)
        self._count(kind)
        if r.blocked:
            self._count("blocked")
            self._record_failure(url, kind, found, r, prev, blocked=True)
            return Got(False, None, url)
        if r.status == 304 and prev is not None and prev.sha256:
            data = self._blob(prev.sha256)
            if data is not None:
                self._count("not_modified")
                return self._keep(url, kind, found, site, r, data, inherited, prev)
            r = self.fetcher.get(url, Validators(), site, moved=self._moved)  # our copy is gone: ask in full
        if r.ok and r.data is not None:
            return self._keep(url, kind, found, site, r, r.data, inherited, prev)
        self._record_failure(url, kind, found, r, prev)
        return Got(False, None, r.final_url)

    def _moved(self, url: str) -> str | None:
        f = self.state.fetched(url)
        return f.moved_to if f else None

    def _blob(self, sha: str) -> bytes | None:
        path = self.state.blob_path(sha)
        try:
            return path.read_bytes() if path else None
        except OSError:
            return None

    def _reuse(self, prev: Fetched, kind: str, found: Found, site: str, inherited: Published | None) -> Got:
        with self.state.transaction() as con:
            self.state.add_found(con, found, prev.fetched_at)
        data = self._blob(prev.sha256) if prev.sha256 and prev.error is None and not prev.blocked else None
        if data is None:
            return Got(False, None, prev.final_url or prev.url)
        final = prev.final_url or prev.url
        report = parse_report(html_text(data), final, site) if kind == "page" else None
        return Got(True, data, final, report)

    def _keep(
        self,
        url: str,
        kind: str,
        found: Found,
        site: str,
        r: Response,
        data: bytes,
        inherited: Published | None,
        prev: Fetched | None,
    ) -> Got:
        report = None
        published = inherited
        ext = "html" if kind == "list" else sniff.detect(data, r.final_url, r.content_type)
        problem = None if kind == "list" else sniff.problem(kind, data, r.final_url, ext)
        text_sha = None
        if kind == "page" and ext == "html":
            report = parse_report(html_text(data), r.final_url, site)
            published = report.published or inherited
            text_sha = _text_sha(r.final_url, data)
            found = dataclasses.replace(
                found, title=found.title or report.title or None, year=found.year or report.year
            )
        latest = self.state.latest_version(url)
        same_text = text_sha is not None and latest is not None and latest[1] == text_sha
        if same_text:
            sha = latest[0]  # the same article in new wrapping (a counter, a sidebar): not a new version
        else:
            sha, rel = self.state.store_blob(data, ext, kind)
        when = r.fetched_at.isoformat(timespec="seconds")
        v = r.validators
        if r.status == 304 and prev is not None:  # a 304 may leave out what it still stands by
            v = Validators(v.etag or prev.etag, v.last_modified or prev.last_modified)
        moved = r.moved_permanently or (prev.moved_to if prev and r.final_url != url else None)
        with self.state.transaction() as con:
            if not same_text:
                self.state.record_blob(con, sha, rel, len(data), r.content_type, kind, problem, text_sha)
            self.state.add_found(con, found, when)
            is_new = self.state.see_version(
                con,
                url,
                sha,
                when,
                published.value.isoformat() if published else None,
                published.text if published else None,
            )
            self.state.record_fetch(
                con,
                Fetched(
                    url,
                    kind,
                    self.run_id,
                    when,
                    r.status,
                    content_type=r.content_type,
                    sha256=sha,
                    etag=v.etag,
                    last_modified=v.last_modified,
                    moved_to=moved,
                    final_url=r.final_url,
                ),
            )
            self.state.mark_dirty_for_url(con, url)
        if is_new:
            self._count("new")
            if latest is not None:
                self._count("changed")
        manifest.flush(self.state)
        return Got(True, data, r.final_url, report)

    def _record_failure(
        self, url: str, kind: str, found: Found, r: Response, prev: Fetched | None, blocked: bool = False
    ) -> None:
        reason = r.error or f"HTTP {r.status}"
        when = r.fetched_at.isoformat(timespec="seconds")
        self._record_miss(url, kind, found, when, r.status, reason, prev, r.final_url, blocked)
        if not blocked and kind != "list":
            with self._lock:
                self.failures.append((url, reason))

    def _record_offsite(self, link: Link, kind: str, found: Found) -> None:
        """A report or attachment linked on another site: not fetched, but its listing is evidence."""
        prev = self.state.fetched(link.url)
        if prev is not None and prev.run_id == self.run_id:
            with self.state.transaction() as con:
                self.state.add_found(con, found, prev.fetched_at)
            return
        self._count("offsite")
        reason = f"链接指向其他网站（{urlsplit(link.url).netloc}），按规定未跟随"
        self._record_miss(link.url, kind, found, now_iso(), None, reason, prev, link.url, True)

    def _record_miss(
        self,
        url: str,
        kind: str,
        found: Found,
        when: str,
        status: int | None,
        reason: str,
        prev: Fetched | None,
        final_url: str,
        blocked: bool,
    ) -> None:
        """A URL without content this time: failed, forbidden by robots.txt, or on another site.
        The last good copy and its validators stay: a later 304 still refers to them."""
        f = Fetched(url, kind, self.run_id, when, status, reason, blocked, final_url=final_url)
        if prev is not None:
            f = dataclasses.replace(
                f,
                sha256=prev.sha256,
                etag=prev.etag,
                last_modified=prev.last_modified,
                moved_to=prev.moved_to,
            )
        with self.state.transaction() as con:
            self.state.add_found(con, found, when)
            self.state.record_fetch(con, f)
            self.state.mark_dirty_for_url(con, url)
        manifest.write_failure_manifest(self.state, url, kind)
        manifest.flush(self.state)

    # one column

    def column(self, seed: Seed) -> None:
        site = urlsplit(seed.column_url).netloc.lower()

        def found(url: str, kind: str, link: Link | None = None, **kw) -> Found:
            return Found(
                url,
                seed.column_url,
                kind,
                seed.agency,
                seed.agency_kind,
                seed.region_code,
                link.title if link else None,
                report_year(link.title) if link else None,
                link.date.isoformat() if link and link.date else None,
                kw.get("report_page_url"),
            )

        reports = self._lists(seed, site, found)
        if len(reports) > limits.MAX_REPORTS:
            self.progress.add(limits.MAX_REPORTS - len(reports))
            reports = reports[: limits.MAX_REPORTS]
        since = self.options.since
        for link in reports:
            self.progress.advance()
            if since and link.date and link.date < since:
                self._count("before_since")
                continue
            listed = (
                Published(datetime.combine(link.date, datetime.min.time()), f"栏目列表日期：{link.date}", "栏目列表")
                if link.date
                else None
            )
            if sniff.url_ext(link.url):  # the list links the report file itself
                self.fetch(link.url, "attachment", found(link.url, "attachment", link), site, listed)
                continue
            got = self.fetch(link.url, "page", found(link.url, "page", link), site, listed)
            if not got.ok or got.report is None:
                continue
            pub = got.report.published or listed
            if since and pub and pub.value.date() < since:
                self._count("before_since")
                continue
            for link2 in got.report.offsite:
                f = found(link2.url, "attachment", link, report_page_url=link.url)
                self._record_offsite(link2, "attachment", dataclasses.replace(f, year=report_year(link.title)))
            year = report_year(link.title) or got.report.year
            atts = got.report.attachments[: limits.MAX_ATTACHMENTS]
            self.progress.add(len(atts))
            for att in atts:
                f = dataclasses.replace(found(att.url, "attachment", link, report_page_url=link.url), year=year)
                self.fetch(att.url, "attachment", f, site, pub)
                self.progress.advance()

    def _lists(self, seed: Seed, site: str, found) -> list[Link]:
        queue, seen, n = deque([seed.column_url]), {seed.column_url}, 0
        reports: dict[str, Link] = {}
        self.progress.add(1)
        while queue and n < limits.MAX_LIST_PAGES:
            url = queue.popleft()
            n += 1
            got = self.fetch(url, "list", found(url, "list"), site)
            self.progress.advance()
            if not got.ok or got.data is None:
                if url == seed.column_url:
                    f = self.state.fetched(url)
                    with self._lock:
                        self.columns_failed.append((url, (f.error if f else None) or "栏目页无法打开"))
                continue
            seen.add(got.final_url)
            page = parse_list(html_text(got.data), got.final_url, site)
            for link in page.offsite:
                self._record_offsite(link, "page", found(link.url, "page", link))
            new = [link for link in page.reports if link.url not in reports]
            for link in new:
                reports[link.url] = link
            self.progress.add(len(new))
            since = self.options.since
            if since and page.reports and all(link.date and link.date < since for link in page.reports):
                self.progress.add(-len(queue))
                break  # lists run newest first: a page entirely before --since ends the walk
            for nxt in page.next_pages:
                if nxt not in seen and len(seen) < limits.MAX_LIST_PAGES:
                    seen.add(nxt)
                    queue.append(nxt)
                    self.progress.add(1)
        return list(reports.values())
