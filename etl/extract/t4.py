"""Table 4 (reconsideration and litigation) read by its labels.

The table is printed in several shapes: one table (two header rows, then 15 numbers), three small
tables (one per group, each with its own header row), a group per row ("行政复议 0 0 0 0 0"), or
transposed (a row per outcome with a number per group). The group words (行政复议, 未经复议直接
起诉, 复议后起诉) and the outcome words (维持, 纠正, 其他结果, 尚未审结, 总计) are read in the
order they are printed, and that order places the numbers. Where the labels do not say enough,
the standard order places them: a fallback that is reported (cells_by_position), so that sums
that then break are taken as a doubt about our reading, not as the agency's error."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.extract import digitruns
from etl.model import Cell
from etl.registry.fields import T4_GROUP_LABELS, T4_GROUPS, T4_SUFFIX_LABELS, T4_SUFFIXES

# the words of the field registry; "行政诉讼" alone heads the two lawsuit groups; a group word
# that contains another (未经复议 contains 复议) is tried first
_WORDS: tuple[tuple[str, str, re.Pattern], ...] = (
    *(("g", lab.key, lab.regex) for lab in sorted(T4_GROUP_LABELS, key=lambda x: x.key == "review")),
    ("g", "lit", re.compile(r"行政诉讼")),
    *(("s", lab.key, lab.regex) for lab in T4_SUFFIX_LABELS),
)
_ANY = re.compile("|".join(f"(?P<{kind}_{key}>{p.pattern})" for kind, key, p in _WORDS))
STANDARD: tuple[tuple[str, str], ...] = tuple((g, s) for g in T4_GROUPS for s in T4_SUFFIXES)
assert {lab.key for lab in T4_GROUP_LABELS} == set(T4_GROUPS) and len(T4_SUFFIX_LABELS) == 5


def events(text: str) -> list[tuple[str, str]]:
    """The group and outcome words of a label, in printed order. A section heading's words
    ("四、政府信息公开行政复议、行政诉讼情况") name the table, not its columns."""
    if "情况" in text:
        text = text[text.rindex("情况") + 2 :]
    text = re.sub(r"[\s|#]", "", text)
    out = []
    for m in _ANY.finditer(text):
        kind, key = m.lastgroup.split("_", 1)
        out.append((kind, key))
    return out


def _perm(seq: list[str]) -> bool:
    return len(seq) == 5 and set(seq) == set(T4_SUFFIXES)


@dataclass
class T4Reader:
    header: list[tuple[str, str]] = field(default_factory=list)  # words since the last numbers
    placed: dict[str, Cell | None] = field(default_factory=dict)  # None: a cell that could not be read
    by_position: list[str] = field(default_factory=list)  # keys placed by the standard order
    pending: list[Cell | None] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    notes: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)  # (rule, message, cells)
    last_suffixes: list[str] = field(default_factory=list)  # the outcome order the header printed
    last_groups: list[str] = field(default_factory=list)
    unchecked: bool = False  # read one digit a cell from a run whose group sums then break

    @property
    def done(self) -> bool:
        return len(self.placed) >= 15

    def labels(self, labels: tuple[str, ...]) -> None:
        self.header += events("".join(labels))

    def _suffix_order(self) -> tuple[list[str], bool]:
        sfx = [k for kind, k in self.header if kind == "s"]
        if _perm(sfx[-5:]):
            self.last_suffixes = sfx[-5:]
        if self.last_suffixes:
            return self.last_suffixes, True
        return list(T4_SUFFIXES), False

    def _groups(self) -> list[str]:
        out: list[str] = []
        for kind, k in self.header:
            if kind == "g" and k != "lit" and k not in out:
                out.append(k)
        return out

    def _place(self, plan: list[tuple[str, str]], cells: list[Cell | None], sure: bool) -> None:
        for (g, s), cell in zip(plan, cells):
            key = f"{g}_{s}"
            if key in self.placed:
                continue
            self.placed[key] = cell
            if not sure and cell is not None:
                self.by_position.append(key)

    def row_words(self, labels: tuple[str, ...], n: int) -> list[tuple[str, str]]:
        """The words that label a row of n numbers: one group word (a group per row) or one
        outcome word (transposed). Anything else printed before the numbers is header."""
        own = events("".join(labels))
        g = [k for kind, k in own if kind == "g" and k != "lit"]
        sfx = [k for kind, k in own if kind == "s"]
        if (len(sfx) == 1 and not g and n == 3) or (g and not sfx and n == 5 * len(g)):
            return own
        self.header += own
        return []

    def row(self, own: list[tuple[str, str]], cells: list[Cell | None], line: int) -> None:
        """A row of numbers, with the words of its own row (row_words)."""
        if self.done:
            return
        self.lines.append(line)
        own_g = [k for kind, k in own if kind == "g" and k != "lit"]
        own_s = [k for kind, k in own if kind == "s"]
        n = len(cells)
        if own_s and not own_g and n == 3 and len(own_s) == 1:  # transposed: an outcome per row
            groups = self._groups() or self.last_groups
            sure = len(groups) == 3
            self._place([(g, own_s[0]) for g in (groups if sure else T4_GROUPS)], cells, sure)
            self.last_groups = groups if sure else self.last_groups
            return
        if own_g and not own_s and n == 5 * len(own_g) and len(set(own_g)) == len(own_g):  # a group per row
            sfx, sure = self._suffix_order()
            self._place([(g, s) for g in own_g for s in sfx], cells, sure)
            self.header = []
            return
        self.pending += cells
        self.fill()

    def fill(self, final: bool = False) -> None:
        """Place the numbers waiting under the header words read since the last numbers."""
        cells = self.pending
        if not cells:
            return
        groups = self._groups()
        sfx, sure_sfx = self._suffix_order()
        open_groups = [g for g in T4_GROUPS if not any(k.startswith(g + "_") for k in self.placed)]
        m = len(cells) // 5
        if len(cells) % 5 == 0 and m and len(groups) == m and all(g in open_groups for g in groups):
            sfx_all = [k for kind, k in self.header if kind == "s"]
            if len(sfx_all) >= 5 * m and all(_perm(sfx_all[-5 * m :][5 * i : 5 * i + 5]) for i in range(m)):
                tail = sfx_all[-5 * m :]
                plan = [(groups[i], tail[5 * i + j]) for i in range(m) for j in range(5)]
                self._place(plan, cells, True)
            else:
                self._place([(g, s) for g in groups for s in sfx], cells, sure_sfx)
        elif len(cells) == 5 and not groups and open_groups and len(open_groups) < 3:
            self._place([(open_groups[0], s) for s in sfx], cells, False)  # the next group, unnamed
        elif len(cells) >= 15 or (final and len(cells) % 5 == 0 and len(cells) // 5 == len(open_groups)):
            plan = [(g, s) for g in open_groups for s in T4_SUFFIXES]
            if len(cells) > len(plan):
                self.notes.append(
                    (
                        "table_cells_unclear",
                        f"表四印有 {len(cells)} 个数（应为 {len(plan)} 个），只取前 {len(plan)} 个",
                        tuple(c.loc for c in cells if c is not None),
                    )
                )
            self._place(plan, cells, False)
        else:
            return  # wait for more numbers
        self.pending = []
        self.header = []

    def run_candidates(self, texts: list[str]) -> list[tuple[int, ...]]:
        """The readings of the whole table printed as one digit run: each group's total (where
        the header printed it, the last column when it printed none) is the sum of the others."""
        sfx, _ = self._suffix_order()
        total_at = sfx.index("total")

        def check(parts: tuple[int, ...]) -> bool:
            return sum(parts) - parts[total_at] == parts[total_at]

        forced = digitruns.one_digit_each(texts, 15)
        return [forced] if forced else digitruns.splits(texts, [(5, check)] * 3)

    def finish(self) -> None:
        self.fill(final=True)
        if self.pending:
            self.notes.append(
                (
                    "table_cells_unclear",
                    f"表四有 {len(self.pending)} 个数无法对应到列，记为空",
                    tuple(c.loc for c in self.pending if c is not None),
                )
            )
