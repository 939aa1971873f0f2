"""The registries are complete and every consumer covers every entry: no field without labels,
no rule without words, origin and an implementation that raises it, no rule raised that is not
registered, no query a page runs outside the query registry."""

from __future__ import annotations

import inspect
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from etl.extract.tables import match_label
from etl.registry import fields, rules
from etl.registry.fields import FIELDS, LABEL_PARTS, variants
from etl.registry.rules import RULES, SCORE
from etl.warehouse.schema import TABLES

ROOT = Path(__file__).resolve().parents[1]


def make_report(year: int, cell, prose):
    """A report whose every cell holds `cell` and every prose count `prose` (None: absent)."""
    from etl.model import Report

    return Report(
        source="x",
        fmt="text",
        agency="机关",
        year=year,
        publish_date=None,
        province=None,
        city=None,
        county=None,
        region_code=None,
        format_version="2021",
        sections=(1, 2, 3, 4, 5, 6),
        t2=dict.fromkeys(fields.T2_KEYS, cell),
        t3={r: dict.fromkeys(fields.T3_COLUMN_KEYS, cell) for r in fields.T3_ROW_KEYS},
        t4=dict.fromkeys(fields.T4_KEYS, cell),
        narrative={} if prose is None else dict.fromkeys(fields.NARRATIVE_KEYS, prose),
    )


def test_every_field_has_labels_unit_and_null_policy():
    keys = [f.key for f in FIELDS]
    assert len(keys) == len(set(keys)) == 10 + 25 * 7 + 15 + len(fields.PROSE_METRICS)
    for f in FIELDS:
        assert f.zh and f.en and f.unit and f.null_policy, f
        assert re.search(r"[\u4e00-\u9fff]", f.zh) and not re.search(r"[\u4e00-\u9fff]", f.en), f
        assert fields.cell_words(f.ref) != f.ref, f  # a finding naming the cell can say it in words


def test_warehouse_schema_has_a_column_for_every_field():
    reports = {c for c, _, _ in TABLES["reports"][1]}
    assert {f.key for f in FIELDS} <= reports
    described = {c: d for c, _, d in TABLES["reports"][1]}
    for f in FIELDS:
        assert f.zh.split(" ")[0] in described[f.key], f.key


def test_parse_output_and_flattening_cover_every_field():
    from etl.extract.report_json import to_json
    from etl.model import ProseCount, Value
    from etl.warehouse.flatten import flatten

    report = make_report(2023, Value(1, "1", "L1"), ProseCount(1, "", "L1"))
    out = to_json(report)
    for f in FIELDS:
        if f.table == "t3":
            got = out["t3"][f.row][f.column]
        elif f.table == "prose":
            got = out["narrative"][f.row]["value"]
        else:
            got = out[f.table][f.sub_key]
        assert got == 1, f.key
    assert len(flatten(report).raws.split("\t")) == len(fields.WIDE)


@pytest.mark.parametrize("part", sorted(LABEL_PARTS))
def test_every_printed_variant_is_matched_to_its_key(part):
    """The parser's label matching covers every variant in data/label-variants.csv, typos included,
    and none of them is taken for another key."""
    labels = LABEL_PARTS[part]
    seen = 0
    for (p, key), printed in variants().items():
        if p != part:
            continue
        for text in printed:
            seen += 1
            if part in ("t2_row", "t3_row"):
                got = match_label(part[:2], (text,))
            else:
                got = next((lab.key for lab in labels if lab.regex.search(fields_norm(text))), None)
            assert got == key, f"{part} {text!r} matched {got!r}, not {key!r}"
    assert seen >= len([lab for lab in labels if lab.pattern]), f"{part}: a label without a printed variant"


def fields_norm(text: str) -> str:
    from etl.extract.tables import norm_label

    return norm_label(text)


def test_every_rule_has_words_origin_scope_and_an_implementation_that_raises_it():
    assert len({r.id for r in RULES}) == len(RULES)
    for r in RULES:
        assert r.scope in rules.SCOPES and r.origin in rules.ORIGINS, r.id
        assert r.severities and set(r.severities) <= set(rules.SEVERITIES), r.id
        assert re.search(r"[\u4e00-\u9fff]", r.zh) and r.en and not re.search(r"[\u4e00-\u9fff]", r.en), r.id
        impl = r.implementation()
        assert callable(impl), r.id
        assert f'"{r.id}"' in inspect.getsource(impl) or f"'{r.id}'" in inspect.getsource(impl), (
            f"{r.id}: its implementation {r.impl} does not raise it"
        )


def test_nothing_raises_an_unregistered_rule():
    raised = set()
    for path in (ROOT / "etl").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        raised |= set(re.findall(r'Finding\(\s*"([a-z0-9_]+)"', text))
        raised |= set(re.findall(r"self\.note\(\s*\"([a-z0-9_]+)\"", text))
        raised |= set(re.findall(r"'([a-z0-9_]+)', '(?:error|warning|info)'", text))  # SQL-made findings
    assert raised, "the scan found nothing: its patterns are stale"
    assert raised <= set(rules.BY_ID), raised - set(rules.BY_ID)
    with pytest.raises(ValueError):
        from etl.model import Finding

        Finding("no_such_rule", "error", "x")


def test_the_score_formula_is_the_registry_data():
    con = duckdb.connect()
    cases = [
        (None, None, 0, 0, 0),
        ("x", 0, 0, 0, 100),
        ("x", 3, 2, 1, 100 - 3 - 20 - 2),
        ("x", 100, 99, 99, 0),
        ("x", 100, 99, 1, 100 - 40 - 40 - 2),
        ("x", None, 0, 1, 98),
    ]
    for rid, days, errors, warnings, want in cases:
        got = con.execute(
            f"SELECT {SCORE.sql('r')} FROM (SELECT ? AS report_id, ? AS days_late, ? AS n_errors, ? AS n_warnings) r",
            [rid, days, errors, warnings],
        ).fetchone()[0]
        assert got == want, (rid, days, errors, warnings)
    for d in SCORE.deductions:
        assert d.zh in SCORE.words("zh") and d.en in SCORE.words("en")


def test_future_year_takes_the_date_of_the_check():
    from etl.check.report_rules import validate

    r = make_report(2031, None, None)
    assert "future_year" in {f.rule for f in validate(r, today=date(2031, 6, 1)).findings}
    assert "future_year" not in {f.rule for f in validate(r, today=date(2032, 2, 1)).findings}


def test_definitions_page_lists_every_rule_and_field():
    from etl.registry.fields import BY_KEY

    source = (ROOT / "dashboard" / "views" / "definitions.py").read_text(encoding="utf-8")
    assert "RULES" in source and "FIELDS" in source and "SCORE" in source
    assert len(BY_KEY) == len(FIELDS)


def test_every_query_is_registered_with_typed_parameters_and_examples():
    from dashboard.queries import QUERIES

    assert len(QUERIES) >= 30
    for q in QUERIES.values():
        assert all(t is not None for t in q.params.values()), f"{q.name}: a parameter without a type"
        assert q.fn.__doc__ is None or q.fn.__doc__.strip()
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "dashboard").rglob("*.py"))
    assert "getattr(q," not in source and "getattr(queries" not in source


def test_every_field_unit_has_its_english_words():
    from dashboard.i18n import UNITS

    assert {f.unit for f in FIELDS if f.unit} <= set(UNITS), {f.unit for f in FIELDS} - set(UNITS)
