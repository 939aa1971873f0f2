"""One crawl into an output folder: the columns walked in parallel (each host still gets one
request at a time), the manifests brought up to date, the run marked finished, and a summary."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from etl.collect import manifest
from etl.collect.crawl import CollectOptions, Crawler, now_iso
from etl.collect.progress import Progress
from etl.collect.seeds import Seed
from etl.collect.state import State
from etl.errors import EtlError


@dataclass(frozen=True)
class CollectSummary:
    out: str
    run: int  # the how-many-th crawl into this folder
    resumed: bool  # an unfinished crawl was continued
    seconds: float
    columns: int
    columns_failed: tuple[tuple[str, str], ...]  # (column URL, reason)
    counts: dict[str, int]  # list / page / attachment: URLs handled; new, changed, not_modified, reused, ...
    requests: int  # HTTP requests made (robots.txt, redirects and retries included)
    conditional_requests: int
    failures: tuple[tuple[str, str], ...]  # (URL, reason) of pages and attachments that could not be fetched
    skipped: tuple[str, ...]  # seeds left out, in Chinese

    @property
    def items(self) -> int:
        return sum(self.counts.get(k, 0) for k in ("list", "page", "attachment"))


def collect(
    seeds: tuple[Seed, ...],
    out: Path,
    options: CollectOptions | None = None,
    skipped: tuple[str, ...] = (),
) -> CollectSummary:
    options = options or CollectOptions()
    started = time.monotonic()
    state = State(out)
    try:
        manifest.flush(state)  # what a killed crawl recorded but did not get to write
        opts = {
            "seeds": len(seeds),
            "since": options.since.isoformat() if options.since else None,
            "rate": options.fetch.rate,
        }
        run_id, resumed = state.begin_run(now_iso(), json.dumps(opts, ensure_ascii=False))
        with Progress(options.progress) as progress:
            crawler = Crawler(state, options, run_id, progress)
            try:
                workers = max(1, min(options.workers, len(seeds)))
                pool = ThreadPoolExecutor(workers)
                try:
                    for seed, err in zip(seeds, pool.map(_guarded(crawler), seeds)):
                        if err:
                            crawler.columns_failed.append((seed.column_url, err))
                except KeyboardInterrupt:
                    crawler.stop.set()  # the run stays unfinished: the next one resumes it
                    raise
                finally:
                    pool.shutdown(wait=True, cancel_futures=True)
            finally:
                crawler.fetcher.close()
        manifest.flush(state)
        state.finish_run(run_id, now_iso())
        return CollectSummary(
            str(out),
            state.run_number(run_id),
            resumed,
            time.monotonic() - started,
            len(seeds),
            tuple(crawler.columns_failed),
            dict(crawler.counts),
            crawler.fetcher.requests,
            crawler.fetcher.conditional_requests,
            tuple(crawler.failures),
            skipped,
        )
    finally:
        state.close()


def _guarded(crawler: Crawler):
    """One column's walk; an unexpected error ends that column only, with its reason recorded."""

    def run(seed: Seed) -> str | None:
        try:
            crawler.column(seed)
        except EtlError as exc:
            return exc.one_line()
        except (OSError, ValueError, RecursionError) as exc:
            return f"采集该栏目时出错（{type(exc).__name__}：{exc}）"
        return None

    return run


def summary_lines(s: CollectSummary) -> list[str]:
    c = s.counts
    rate = s.items / s.seconds if s.seconds > 0 else 0.0
    head = "继续上次中断的采集" if s.resumed else "采集完成"
    lines = [
        f"{head}（第 {s.run} 次采集，{s.seconds:.1f} 秒）：{s.out}",
        f"  栏目 {s.columns} 个（无法打开 {len(s.columns_failed)} 个）；列表页 {c.get('list', 0)} 页，"
        f"报告页 {c.get('page', 0)} 个，附件 {c.get('attachment', 0)} 个；每秒 {rate:.1f} 个",
        f"  请求 {s.requests} 次，其中条件请求 {s.conditional_requests} 次、"
        f"未变化（304）{c.get('not_modified', 0)} 次；"
        f"本次已有而未重复请求 {c.get('reused', 0)} 个",
        f"  新保存的内容 {c.get('new', 0)} 份，其中同一地址内容有变化 {c.get('changed', 0)} 份；"
        f"获取失败 {len(s.failures)} 个",
        f"  robots.txt 禁止或重定向到站外而未采集 {c.get('blocked', 0)} 个；站外链接未跟随 {c.get('offsite', 0)} 个"
        + (f"；早于起始日期而跳过 {c['before_since']} 个" if c.get("before_since") else ""),
    ]
    for url, reason in s.columns_failed[:20]:
        lines.append(f"  栏目无法打开 {url}：{reason}")
    for url, reason in s.failures[:20]:
        lines.append(f"  获取失败 {url}：{reason}")
    if len(s.failures) > 20:
        lines.append(f"  ……另有 {len(s.failures) - 20} 个获取失败，见 unavailable/ 下的清单")
    lines.extend(f"  {x}" for x in s.skipped)
    return lines
