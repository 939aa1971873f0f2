"""The collector's limits, each configurable by an environment variable (defaults in brackets),
in the style of etl/read/limits.py. A response larger than the reader would accept is not kept."""

from __future__ import annotations

import os

from etl.read.limits import MAX_FILE_MB


def _num(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


MAX_RESPONSE_BYTES = int(MAX_FILE_MB * 1024 * 1024)  # one response, as the loader's file limit [50 MB]
RESPONSE_SECONDS = _num("GOVREPORT_COLLECT_RESPONSE_SECONDS", 120)  # one whole response, trickling included [120]
MAX_LIST_PAGES = int(_num("GOVREPORT_COLLECT_MAX_LIST_PAGES", 50))  # list pages walked per column [50]
MAX_REPORTS = int(_num("GOVREPORT_COLLECT_MAX_REPORTS", 300))  # report links opened per column [300]
MAX_ATTACHMENTS = int(_num("GOVREPORT_COLLECT_MAX_ATTACHMENTS", 20))  # attachments kept per report page [20]
MAX_REDIRECTS = int(_num("GOVREPORT_COLLECT_MAX_REDIRECTS", 5))  # hops of one request [5]
MAX_BACKOFF_SECONDS = _num("GOVREPORT_COLLECT_MAX_BACKOFF", 60)  # longest wait before a retry, Retry-After too [60]
MAX_CRAWL_DELAY = _num("GOVREPORT_COLLECT_MAX_CRAWL_DELAY", 30)  # a robots.txt Crawl-delay is honoured up to this [30]
ROBOTS_CACHE_HOURS = _num("GOVREPORT_COLLECT_ROBOTS_HOURS", 24)  # a robots.txt is reused this long (RFC 9309) [24]
