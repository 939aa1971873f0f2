"""Digit runs: a table row whose cells were printed without separators ("801000081" for
80 | 1 | 0 | 0 | 0 | 0 | 81), as crawled pages and some converters give them.

A run is split only where the table's own arithmetic leaves exactly one way to split it: the
row sum (T3: total = the six applicant columns), the group sums (T4: total = upheld + corrected
+ other + pending), and, across rows, the column identities of T3. Spaces that were printed are
kept as cell boundaries; a cell never starts with 0 unless it is 0. Anything else is NULL with a
finding that lists the candidates: never a guess."""

from __future__ import annotations

from collections.abc import Callable, Sequence

MAX_CELL_DIGITS = 9  # no count in these tables has ten digits
MAX_CANDIDATES = 64  # more readings than this: the run says nothing certain


def is_run(tokens: Sequence[str]) -> bool:
    """Tokens that can be a digit run: plain digits only (no decimal point, no separator)."""
    return bool(tokens) and all(t.isdigit() and t.isascii() for t in tokens)


def leading_zero(tokens: Sequence[str]) -> bool:
    """A token like "00" or "023" cannot be one printed number: cells were glued."""
    return any(len(t) > 1 and t.isdigit() and t[0] == "0" for t in tokens)


Check = Callable[[tuple[int, ...]], bool]


def splits(groups: Sequence[str], blocks: Sequence[tuple[int, Check | None]]) -> list[tuple[int, ...]]:
    """Every reading of the digit groups (printed spaces are hard cell boundaries) as cells
    that fill `blocks` in order, each block (size, check) passing its check. At most
    MAX_CANDIDATES + 1 readings are returned (enough to tell one from many)."""
    digits = "".join(groups)
    ends: set[int] = set()
    pos = 0
    for g in groups:
        pos += len(g)
        ends.add(pos)
    n_cells = sum(size for size, _ in blocks)
    if not digits.isdigit() or len(digits) < n_cells:
        return []
    bounds: list[int] = []  # where each block ends, in cells
    acc = 0
    for size, _ in blocks:
        acc += size
        bounds.append(acc)
    out: list[tuple[int, ...]] = []

    def walk(pos: int, cells: list[int]) -> None:
        if len(out) > MAX_CANDIDATES:
            return
        k = len(cells)
        if k in bounds and k:
            b = bounds.index(k)
            size, check = blocks[b]
            if check is not None and not check(tuple(cells[k - size : k])):
                return
        if k == n_cells:
            if pos == len(digits):
                out.append(tuple(cells))
            return
        left_cells = n_cells - k
        if len(digits) - pos < left_cells:
            return
        if digits[pos] == "0":
            lengths = [1]
        else:
            lengths = range(1, MAX_CELL_DIGITS + 1)
        for n in lengths:
            end = pos + n
            if end > len(digits):
                break
            if any(p in ends for p in range(pos + 1, end)):
                break  # a printed space inside the cell
            cells.append(int(digits[pos:end]))
            walk(end, cells)
            cells.pop()

    walk(0, [])
    return out


def row_sum(parts: tuple[int, ...]) -> bool:
    """The last cell is the sum of the others (T3 rows, T4 groups)."""
    return sum(parts[:-1]) == parts[-1]


def one_digit_each(groups: Sequence[str], n: int) -> tuple[int, ...] | None:
    """As many digits as cells: the one way to read the run at all, whatever the sums say. A
    sum it breaks is the agency's, or a cell lost in the printing: the caller says which is
    not known."""
    digits = "".join(groups)
    return tuple(int(d) for d in digits) if len(digits) == n and digits.isdigit() else None


def t3_row(groups: Sequence[str]) -> list[tuple[int, ...]]:
    forced = one_digit_each(groups, 7)
    return [forced] if forced else splits(groups, [(7, row_sum)])


def t4_row(groups: Sequence[str], n_groups: int = 3) -> list[tuple[int, ...]]:
    return splits(groups, [(5, row_sum)] * n_groups)


def agreed(cands: Sequence[tuple[int, ...]], n: int) -> list[int | None]:
    """Each cell's value where every candidate reading gives it the same value, else None."""
    if not cands:
        return [None] * n
    return [cands[0][i] if all(c[i] == cands[0][i] for c in cands) else None for i in range(n)]


def plain(groups: Sequence[str], n: int) -> list[tuple[int, ...]]:
    """No identity holds between the cells (T2 rows): only a run with one cell per digit, or
    printed spaces that leave one way, splits."""
    return splits(groups, [(n, None)])


def describe(cands: Sequence[tuple[int, ...]], limit: int = 4) -> str:
    """Candidates for a finding's message: "80|1|0|0|0|0|81 或 8|0|…"."""
    shown = "；".join("|".join(str(x) for x in c) for c in cands[:limit])
    more = f" 等 {len(cands)} 种" if len(cands) > limit else ""
    return shown + more


Row7 = tuple[int | None, ...]


def t3_columns_hold(rows: dict[str, Row7], outcome_rows: Sequence[str]) -> bool:
    """T3's column identities, each where every cell it needs is known: new + carried over =
    decided + carried forward; decided = the outcome rows."""

    def cell(key: str, col: int) -> int | None:
        r = rows.get(key)
        return None if r is None else r[col]

    for col in range(7):
        a, b, c, d = (cell(k, col) for k in ("new_received", "carried_over", "total_processed", "carried_forward"))
        if None not in (a, b, c, d) and a + b != c + d:
            return False
        parts = [cell(k, col) for k in outcome_rows if k in rows]
        if c is not None and parts and None not in parts and sum(parts) != c:
            return False
    return True


MAX_COMBINATIONS = 20000


def resolve_t3(
    known: dict[str, Row7], runs: dict[str, list[tuple[int, ...]]], outcome_rows: Sequence[str]
) -> dict[str, tuple[int, ...] | list[tuple[int, ...]]]:
    """Each run row's reading: its one split, or (when the row sum leaves several) the one that
    the column identities of the whole table allow. A row still open keeps its list of
    candidates (the caller reports them); a row with no candidate keeps an empty list."""
    out: dict[str, tuple[int, ...] | list[tuple[int, ...]]] = {}
    open_rows = [k for k, c in runs.items() if len(c) > 1]
    for k, c in runs.items():
        if len(c) == 1:
            out[k] = c[0]
        elif not c:
            out[k] = []
    if not open_rows:
        return out
    size = 1
    for k in open_rows:
        size *= len(runs[k])
    if size > MAX_COMBINATIONS:
        return {**out, **{k: list(runs[k]) for k in open_rows}}
    base: dict[str, Row7] = dict(known)
    base.update({k: v for k, v in out.items() if isinstance(v, tuple)})
    survivors: list[tuple[tuple[int, ...], ...]] = []

    def walk(i: int, chosen: list[tuple[int, ...]]) -> None:
        if i == len(open_rows):
            rows = dict(base)
            rows.update(zip(open_rows, chosen))
            if t3_columns_hold(rows, outcome_rows):
                survivors.append(tuple(chosen))
            return
        for cand in runs[open_rows[i]]:
            walk(i + 1, [*chosen, cand])

    walk(0, [])
    for j, k in enumerate(open_rows):
        readings = {s[j] for s in survivors}
        out[k] = next(iter(readings)) if len(readings) == 1 else sorted(readings or set(runs[k]))
    return out
