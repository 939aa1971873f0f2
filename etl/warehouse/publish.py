"""The atomic publish: a load writes a copy of the warehouse beside it and renames the copy over
it in one step, so a reader holding the old file keeps the old data, a new reader gets the new
data, and a load killed at any point leaves the old file as it was.

The copy is made as cheaply as the file system allows: a reflink (copy-on-write clone, FICLONE:
btrfs, XFS with reflink, bcachefs, …) shares every block with the old file and costs
milliseconds whatever the size; elsewhere (ext4, tmpfs) the kernel copies the bytes
(copy_file_range), which costs about a second per GB. BENCHMARKS.md has the measurements and
why a write on the live file itself was not chosen: DuckDB locks a file for one writing process
or several reading ones, so the dashboard's open connection and a load on the live file exclude
each other."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

FICLONE = 0x40049409  # _IOW(0x94, 9, int), linux/fs.h


def clone(src: Path, dst: Path) -> str:
    """Copy src to dst: 'reflink' when the file system shares the blocks, else 'copy'."""
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        try:
            fcntl.ioctl(fout.fileno(), FICLONE, fin.fileno())
            return "reflink"
        except OSError:
            pass
        size = os.fstat(fin.fileno()).st_size
        done = 0
        while done < size:
            try:
                n = os.copy_file_range(fin.fileno(), fout.fileno(), size - done)
            except OSError:  # not supported here (an old kernel, a file system across devices)
                fin.seek(done)
                fout.seek(done)
                while chunk := fin.read(1 << 24):
                    fout.write(chunk)
                return "copy"
            if n == 0:
                break
            done += n
        return "copy"


def temp_path(db: Path) -> Path:
    return db.with_name(f".{db.name}.loading-{os.getpid()}")


def leftovers(db: Path) -> list[Path]:
    """Temporary files of killed loads (safe to remove while the writer lock is held)."""
    return list(db.parent.glob(f".{db.name}.loading-*"))
