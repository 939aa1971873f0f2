"""Export the warehouse: the reports table (wide), the findings, the cells and people's corrections, with a data
dictionary (field, Chinese label, unit, description), as Parquet, CSV or one Excel workbook."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from etl.errors import EtlError
from etl.warehouse.frames import frame
from etl.warehouse.schema import TABLES, VIEWS

EXCEL_MAX_ROWS = 1_048_575


def dictionary_frame() -> pl.DataFrame:
    rows = []
    for table in ("reports", "findings", "cells", "corrections"):
        for col, typ, desc in {**TABLES, **VIEWS}[table][1]:
            label, _, unit = desc.partition("（")
            unit = unit.rstrip("）") if col.startswith(("t2__", "t3__", "t4__", "n__")) else ""
            rows.append(
                {
                    "表": table,
                    "字段": col,
                    "中文名称": label,
                    "单位": unit,
                    "类型": typ.split()[0],
                    "说明": desc,
                }
            )
    return pl.DataFrame(rows)


QUERIES = {
    "reports": "SELECT * FROM reports ORDER BY year, agency_id",
    "findings": "SELECT f.*, a.name AS agency FROM findings f LEFT JOIN agencies a USING (agency_id) "
    "ORDER BY year, agency_id, rule",
    "cells": "SELECT * FROM cells ORDER BY report_id, field",
    # people's corrections (人工更正) applied at the last load, with the value read from the file beside each
    "corrections": "SELECT * FROM corrections ORDER BY report_id, field",
}


def export(db: Path, fmt: str, out: Path) -> list[Path]:
    if not db.exists():
        raise EtlError(f"数据库文件不存在：{db}")
    con = duckdb.connect(str(db), read_only=True)
    try:
        if fmt in ("parquet", "csv"):
            out.mkdir(parents=True, exist_ok=True)
            written = []
            for name, sql in QUERIES.items():
                path = out / f"{name}.{fmt}"
                opts = "(FORMAT parquet)" if fmt == "parquet" else "(FORMAT csv, HEADER true)"
                con.execute(f"COPY ({sql}) TO '{_quote(path)}' {opts}")
                written.append(path)
            d = out / "dictionary.csv"
            dictionary_frame().write_csv(d)
            return written + [d]
        if fmt == "xlsx":
            import xlsxwriter

            out.parent.mkdir(parents=True, exist_ok=True)
            with xlsxwriter.Workbook(str(out)) as wb:
                for name, sheet in (
                    ("reports", "报告"),
                    ("findings", "发现"),
                    ("cells", "单元格"),
                    ("corrections", "人工更正"),
                ):
                    df = frame(con, QUERIES[name])
                    for part, start in enumerate(range(0, max(1, df.height), EXCEL_MAX_ROWS)):
                        chunk = df.slice(start, EXCEL_MAX_ROWS)
                        chunk.write_excel(
                            workbook=wb,
                            worksheet=sheet if part == 0 else f"{sheet}{part + 1}",
                            autofit=df.width < 40,
                        )
                dictionary_frame().write_excel(workbook=wb, worksheet="数据字典", autofit=True)
            return [out]
        raise EtlError(f"不支持的导出格式：{fmt}")
    finally:
        con.close()


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
