"""A rich progress bar for the crawl, like the loader's (nothing when output is not a terminal).
The total grows as list pages reveal reports and report pages reveal attachments."""

from __future__ import annotations

import sys
import threading


class Progress:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._lock = threading.Lock()
        self._bar = None

    def __enter__(self) -> Progress:
        if self.enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                ProgressColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            from rich.progress import Progress as RichProgress

            class _Rate(ProgressColumn):
                def render(self, task):  # over the whole crawl: rich's windowed speed jumps as the total grows
                    rate = task.completed / task.elapsed if task.elapsed else 0.0
                    return f"{rate:.1f} 个/秒"

            from rich.console import Console

            self._bar = RichProgress(
                TextColumn("采集网页和附件"),
                BarColumn(),
                MofNCompleteColumn(),
                _Rate(),
                TimeElapsedColumn(),
                console=Console(stderr=True),  # stdout keeps the summary
                transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task("collect", total=0)
        return self

    def add(self, n: int) -> None:
        if self._bar is not None and n:
            with self._lock:
                total = self._bar.tasks[0].total or 0
                self._bar.update(self._task, total=total + n)

    def advance(self) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()
