"""The polite HTTP client: robots.txt honoured, one request at a time per host at the configured
rate, bounded retries with exponential backoff on 5xx and time-outs, conditional requests,
a size and time limit per response, redirects followed by hand (loops and other sites refused)."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from etl.collect import limits
from etl.collect.manifest import CHINA
from etl.errors import EtlError

USER_AGENT = "govreport-collector/0.1 (government information disclosure annual reports; honours robots.txt)"
ROBOTS_AGENT = "govreport-collector"
_RETRY_STATUS = frozenset((429, 500, 502, 503, 504))
_REDIRECT = frozenset((301, 302, 303, 307, 308))


class FetchError(EtlError):
    """A URL the collector cannot or may not fetch (never raised past the crawler: recorded)."""


@dataclass(frozen=True)
class Options:
    rate: float = 1.0  # requests per second to one host; 0 = no limit
    timeout: float = 20.0  # seconds to connect and between bytes
    retries: int = 3  # further tries after a 5xx or a time-out
    backoff: float = 1.0  # first wait before a retry; doubled each time
    max_bytes: int = limits.MAX_RESPONSE_BYTES
    response_seconds: float = limits.RESPONSE_SECONDS
    max_redirects: int = limits.MAX_REDIRECTS
    trust_env: bool = True  # proxies from the environment (an office network may need one)


@dataclass(frozen=True)
class Validators:
    """What the last response said about itself, sent back as If-None-Match / If-Modified-Since."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Response:
    url: str  # as asked for
    final_url: str  # after redirects
    status: int | None  # None: no answer (time-out, refused, blocked before asking)
    content_type: str | None
    data: bytes | None  # None for 304 and failures
    validators: Validators
    fetched_at: datetime
    requests: int  # HTTP requests made for it (redirect hops and retries included)
    conditional: bool  # the last request carried validators
    error: str | None = None  # why it failed, in Chinese
    blocked: bool = False  # robots.txt forbids it, or a redirect led off the site: nothing was fetched
    moved_permanently: str | None = None  # a 301/308 target, remembered for later crawls
    location: str | None = None  # a redirect's Location, as sent

    @property
    def ok(self) -> bool:
        return self.error is None and self.status in (200, 304)


class RateLimiter:
    """One slot per interval per host, handed out in order (thread-safe)."""

    def __init__(self, interval: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = interval
        self._next: dict[str, float] = {}
        self._extra: dict[str, float] = {}
        self._lock = threading.Lock()
        self._sleep = sleep

    def set_host_interval(self, host: str, seconds: float) -> None:
        with self._lock:
            self._extra[host] = seconds

    def wait(self, host: str) -> None:
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(host, now))
            self._next[host] = slot + max(self.interval, self._extra.get(host, 0.0))
        if slot > now:
            self._sleep(slot - now)


class Fetcher:
    def __init__(
        self,
        options: Options,
        robots_cache: Callable[[str], tuple[str | None, Validators, bool]] | None = None,
        robots_store: Callable[[str, str | None, Validators, int | None], None] | None = None,
    ) -> None:
        self.options = options
        self.client = httpx.Client(
            timeout=httpx.Timeout(options.timeout),
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
            trust_env=options.trust_env,
        )
        self.limiter = RateLimiter(1.0 / options.rate if options.rate > 0 else 0.0)
        self._robots: dict[str, Protego | None] = {}
        self._robots_lock = threading.Lock()
        self._origin_locks: dict[str, threading.Lock] = {}  # one robots.txt fetch per site, sites in parallel
        self._robots_cache = robots_cache  # the state's copy of robots.txt: (text, validators, fetched this run)
        self._robots_store = robots_store
        self.requests = 0
        self.conditional_requests = 0
        self._count_lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    # robots.txt

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._robots_lock:
            lock = self._origin_locks.setdefault(origin, threading.Lock())
        with lock:
            if origin not in self._robots:
                self._robots[origin] = self._load_robots(origin, parts.netloc)
            rules = self._robots[origin]
        return rules is None or rules.can_fetch(url, ROBOTS_AGENT)

    def _load_robots(self, origin: str, host: str) -> Protego | None:
        """RFC 9309: a missing robots.txt (4xx) allows everything; one that cannot be fetched
        (5xx, no answer) forbids everything for this crawl. Redirects are followed on the host."""
        url = origin + "/robots.txt"
        cached, validators, fresh = self._robots_cache(url) if self._robots_cache else (None, Validators(), False)
        if fresh and cached is not None:
            text = cached  # fetched earlier in this (resumed) crawl
        else:
            text = self._fetch_robots(url, host, cached, validators)
        if text is None:
            return Protego.parse("User-agent: *\nDisallow: /\n")
        try:
            rules = Protego.parse(text)
            delay = rules.crawl_delay(ROBOTS_AGENT)
        except Exception:  # noqa: BLE001 -- a robots.txt so broken it cannot be parsed says nothing
            return None
        if delay:
            self.limiter.set_host_interval(host, min(float(delay), limits.MAX_CRAWL_DELAY))
        return rules

    def _fetch_robots(self, url: str, host: str, cached: str | None, validators: Validators) -> str | None:
        current, chain = url, [url]
        r = self._get(current, validators if cached is not None else Validators())
        while r.status in _REDIRECT and r.location and len(chain) <= self.options.max_redirects:
            current = urljoin(current, r.location)
            if current in chain or urlsplit(current).netloc.lower() != host.lower():
                break
            chain.append(current)
            r = self._get(current, Validators())
        if r.status == 304 and cached is not None:
            text = cached
        elif r.status == 200 and r.data is not None:
            text = r.data.decode("utf-8", "replace")
        elif r.status is not None and (400 <= r.status < 500 or r.status in _REDIRECT):
            text = ""
        else:
            text = None
        if self._robots_store:
            self._robots_store(url, text, r.validators if r.status == 200 else validators, r.status)
        return text

    # requests

    def get(
        self,
        url: str,
        validators: Validators = Validators(),
        site: str | None = None,
        moved: Callable[[str], str | None] | None = None,
    ) -> Response:
        """GET with redirects followed on `site` only (default: the URL's own host). `moved`
        gives a remembered permanent redirect for a URL, so a re-crawl goes straight there."""
        site = (site or urlsplit(url).netloc).lower()
        started = datetime.now(CHINA)
        chain = [url]
        current, count, permanent = url, 0, None
        for _hop in range(self.options.max_redirects + 1):
            target = moved(current) if moved else None
            while target and target not in chain and urlsplit(target).netloc.lower() == site:
                chain.append(target)
                current = target
                target = moved(current) if moved else None
            if not self.allowed(current):
                return self._failed(url, current, started, count, "robots.txt 不允许采集该地址", blocked=True)
            r = self._get(current, validators)  # the URL's own validators on every hop: the last one answers
            count += r.requests
            if r.status not in _REDIRECT:
                return dataclasses.replace(r, url=url, final_url=current, requests=count, moved_permanently=permanent)
            location = r.location
            if not location:
                return self._failed(
                    url, current, started, count, f"重定向（HTTP {r.status}）缺少目标地址", status=r.status
                )
            nxt = urljoin(current, location)
            if nxt in chain:
                loop = "重定向循环：" + " → ".join([*chain, nxt][-4:])
                return self._failed(url, current, started, count, loop, status=r.status)
            if urlsplit(nxt).netloc.lower() != site:
                away = f"重定向到其他网站（{urlsplit(nxt).netloc}），未跟随"
                return self._failed(url, current, started, count, away, status=r.status, blocked=True)
            if r.status in (301, 308) and current == url:
                permanent = nxt
            chain.append(nxt)
            current = nxt
        return self._failed(
            url, current, started, count, f"重定向超过 {self.options.max_redirects} 次，已放弃", status=None
        )

    def _failed(
        self,
        url: str,
        current: str,
        started: datetime,
        count: int,
        error: str,
        status: int | None = None,
        blocked: bool = False,
    ) -> Response:
        return Response(url, current, status, None, None, Validators(), started, count, False, error, blocked)

    def _get(self, url: str, validators: Validators) -> Response:
        """One URL, retried on 5xx, 429 and time-outs. A redirect is returned, not followed."""
        headers = {}
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        host = urlsplit(url).netloc.lower()
        tries = 0
        while True:
            tries += 1
            self.limiter.wait(host)
            with self._count_lock:
                self.requests += 1
                self.conditional_requests += bool(headers)
            r, wait = self._once(url, headers)
            r = dataclasses.replace(r, requests=tries, conditional=bool(headers))
            if wait is None or tries > self.options.retries:
                return r
            time.sleep(wait if wait > 0 else min(self.options.backoff * 2 ** (tries - 1), limits.MAX_BACKOFF_SECONDS))

    def _once(self, url: str, headers: dict) -> tuple[Response, float | None]:
        """(response, None) when final; (response, seconds to wait or 0 for the backoff) when worth a retry."""
        now = datetime.now(CHINA)
        deadline = time.monotonic() + self.options.response_seconds

        def answer(
            status: int | None,
            error: str | None = None,
            data: bytes | None = None,
            ctype: str | None = None,
            v: Validators = Validators(),
            location: str | None = None,
        ) -> Response:
            return Response(url, url, status, ctype, data, v, now, 1, False, error, location=location)

        try:
            with self.client.stream("GET", url, headers=headers) as resp:
                status, h = resp.status_code, resp.headers
                ctype, v = h.get("content-type"), Validators(h.get("etag"), h.get("last-modified"))
                if status in _REDIRECT:
                    return answer(status, ctype=ctype, v=v, location=h.get("location")), None
                if status in _RETRY_STATUS:
                    return answer(status, f"服务器错误（HTTP {status}）", ctype=ctype), _retry_after(
                        h.get("retry-after")
                    )
                if status == 304:
                    return answer(304, ctype=ctype, v=v), None
                if status >= 400:
                    return answer(status, _status_words(status), ctype=ctype), None
                too_big = f"文件超过 {self.options.max_bytes / 1048576:.0f} MB 的上限，未下载"
                declared = h.get("content-length", "")
                if declared.isdigit() and int(declared) > self.options.max_bytes:
                    return answer(status, too_big, ctype=ctype), None
                body = bytearray()
                for chunk in resp.iter_bytes(1 << 16):
                    body += chunk
                    if len(body) > self.options.max_bytes:
                        return answer(status, too_big, ctype=ctype), None
                    if time.monotonic() > deadline:  # a server trickling bytes never trips the read time-out
                        slow = f"下载超过 {self.options.response_seconds:.0f} 秒仍未完成，已放弃"
                        return answer(None, slow, ctype=ctype), 0.0
                return answer(status, data=bytes(body), ctype=ctype, v=v), None
        except httpx.TimeoutException:
            return answer(None, f"网站在 {self.options.timeout:g} 秒内没有响应（超时）"), 0.0
        except (httpx.TransportError, httpx.DecodingError) as exc:
            return answer(None, f"无法连接网站或连接中断（{type(exc).__name__}）"), 0.0
        except httpx.InvalidURL:
            return answer(None, "网址无效"), None


def _retry_after(value: str | None) -> float:
    """Seconds a 503/429 asks us to wait (bounded); 0 means: use our own backoff."""
    if not value:
        return 0.0
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError):
            return 0.0
    return max(0.0, min(seconds, limits.MAX_BACKOFF_SECONDS))


def _status_words(status: int) -> str:
    words = {401: "需要登录", 403: "禁止访问", 404: "页面或文件不存在", 410: "页面或文件已删除"}
    return f"{words.get(status, '请求失败')}（HTTP {status}）"
