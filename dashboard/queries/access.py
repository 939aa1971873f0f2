"""Where an agency or a report is: what the account scope check (dashboard.auth) compares with the
signed-in account's region before a page may show an agency's record or a report's cells."""

from __future__ import annotations

import polars as pl

from dashboard.queries.registry import query
from etl.warehouse.frames import frame


@query(examples=lambda s: [(s.agency_id,)])
def agency_place(con, agency_id: int) -> pl.DataFrame:
    return frame(con, "SELECT province, city, county FROM agencies WHERE agency_id = $id", {"id": agency_id})


@query(examples=lambda s: [(s.report_id,)])
def report_place(con, report_id: str) -> pl.DataFrame:
    return frame(
        con,
        """SELECT a.province, a.city, a.county FROM reports r JOIN agencies a USING (agency_id)
           WHERE r.report_id = $id""",
        {"id": report_id},
    )
