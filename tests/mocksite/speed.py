"""Pages per second against the mock site with the rate limit off, and the requests a re-crawl
of the unchanged site makes. Run: .venv/bin/python tests/mocksite/speed.py [REPORTS]"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etl.collect.crawl import CollectOptions  # noqa: E402
from etl.collect.fetch import Options  # noqa: E402
from etl.collect.run import collect  # noqa: E402
from etl.collect.seeds import Seed  # noqa: E402
from mocksite.sites import big_site  # noqa: E402


def main(n: int = 300) -> None:
    site = big_site(n, per_page=20)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            seeds = (Seed(site.base + "/ndbg/index.html", "某机关"),)
            options = CollectOptions(Options(rate=0, trust_env=False), progress=False)
            for label in ("first crawl", "re-crawl, unchanged"):
                site.clear_log()
                started = time.monotonic()
                s = collect(seeds, Path(tmp) / "out", options)
                seconds = time.monotonic() - started
                conditional = sum(h.conditional for h in site.hits)
                not_modified = sum(h.status == 304 for h in site.hits)
                print(
                    f"{label}: {s.items} pages and files ({s.counts.get('list', 0)} list pages, "
                    f"{s.counts.get('page', 0)} report pages, {s.counts.get('attachment', 0)} attachments) "
                    f"in {seconds:.2f} s = {s.items / seconds:.0f}/s; {len(site.hits)} requests, "
                    f"{conditional} conditional, {not_modified} answered 304, {s.counts.get('new', 0)} new files"
                )
    finally:
        site.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
