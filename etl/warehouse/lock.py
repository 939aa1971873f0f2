"""One writer at a time: a lock file beside the warehouse, held with flock(2) for the whole load.

The kernel releases a flock when its process ends, however it ends, so a load killed with SIGKILL
leaves no lock that blocks the next one: its lock file still names it (PID and start time), which
is how the next load recognises the stale lock, says so and takes it over. A second load that
finds a live holder waits for it, saying so, up to a time-out (GOVREPORT_LOCK_WAIT seconds,
default 600; 0 exits at once) and then gives up with a clear message, having changed nothing."""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from etl.errors import LoadError

WAIT_SECONDS = float(os.environ.get("GOVREPORT_LOCK_WAIT", "600"))
_HELD: dict[str, int] = {}  # lock path -> depth, for the loads of this process (re-entrant)


class WarehouseBusy(LoadError):
    """Another load is writing the same warehouse and did not finish within the time-out."""


def lock_path(db: Path) -> Path:
    return Path(db).with_name(f".{Path(db).name}.lock")


def _holder(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, 512).decode("utf-8", "replace").strip()


def _describe(holder: str) -> str:
    """'PID 123，主机 x，始于 2026-01-05 10:00:00' from the lock file's contents."""
    parts = dict(p.split("=", 1) for p in holder.split() if "=" in p)
    if not parts:
        return "未知进程"
    since = parts.get("since", "?").replace("T", " ")
    return f"PID {parts.get('pid', '?')}，主机 {parts.get('host', '?')}，始于 {since}"


@contextlib.contextmanager
def writer_lock(db: Path, wait: float | None = None, notify: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the warehouse's writer lock; `notify` hears about waiting and stale locks (in Chinese)."""
    path = lock_path(db)
    key = str(path.resolve())
    if key in _HELD:  # this process already holds it (run_load -> write)
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    wait = WAIT_SECONDS if wait is None else wait
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline, told = time.monotonic() + wait, False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _describe(_holder(fd))
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(
                        f"另一个入库进程（{holder}）正在写入 {db}，"
                        + (f"等待 {wait:g} 秒后仍未结束" if wait > 0 else "本次不等待")
                        + "；本次入库未做任何改动，请稍后再试"
                    ) from None
                if not told and notify:
                    notify(f"另一个入库进程（{holder}）正在写入 {db}，等待其完成（最多 {wait:g} 秒）……")
                told = True
                time.sleep(0.2)
        stale = _holder(fd)
        if stale and notify:
            notify(f"发现上次入库留下的锁（{_describe(stale)}，该进程已不在运行），已清除")
        os.ftruncate(fd, 0)
        since = datetime.now().isoformat(timespec="seconds")
        os.pwrite(fd, f"pid={os.getpid()} host={socket.gethostname()} since={since}\n".encode(), 0)
        os.fsync(fd)
        _HELD[key] = 1
        try:
            yield
        finally:
            del _HELD[key]
            os.ftruncate(fd, 0)  # an empty lock file: released cleanly (a killed holder leaves its name)
    finally:
        os.close(fd)  # closing releases the flock
