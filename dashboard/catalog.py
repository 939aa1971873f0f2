"""Every query the dashboard's pages run, with arguments taken from the database at hand: what
the query benchmark times (bench/queries.py) and what the regression guard in the tests checks.
Keep it in step with the `run("…")` calls in dashboard/views/ and dashboard/state.py."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard import queries as q
from dashboard.metrics import CARD_METRICS

REFERENCE_SQL = "SELECT count(*), sum(t3__new_received__total) FROM reports"  # the yardstick for ratios


@dataclass(frozen=True)
class Call:
    page: str
    query: str
    args: tuple

    @property
    def label(self) -> str:
        return f"{self.page}:{self.query}"

    def run(self, con):
        return getattr(q, self.query)(con, *self.args)


def calls(con) -> list[Call]:
    """The calls a user makes opening every page, for the whole country and for its largest
    province, in the latest full year."""
    years = q.years(con)["year"].to_list()
    year = years[-2] if len(years) > 1 else (years[-1] if years else 2024)
    prov_row = con.sql("""SELECT a.province, count(*) n FROM reports r JOIN agencies a USING (agency_id)
                          WHERE a.province IS NOT NULL GROUP BY 1 ORDER BY n DESC LIMIT 1""").fetchall()
    prov = prov_row[0][0] if prov_row else "江西省"
    aid_row = con.sql("SELECT agency_id, max(report_id) FROM reports GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
                      ).fetchall()
    aid, rid = aid_row[0] if aid_row else (1, "")
    country, province = q.Scope(), q.Scope(province=prov)
    names = q.metric_by_subregion(con, country, "applications", year)["name"].to_list()
    out = [Call("sidebar", "years", ()), Call("sidebar", "provinces", ()), Call("sidebar", "cities", (prov,)),
           Call("sidebar", "counties", (prov, None)), Call("sidebar", "status", ())]
    for tag, scope in (("country", country), ("province", province)):
        out += [
            Call(f"overview/{tag}", "kpis", (scope, year, CARD_METRICS)),
            Call(f"overview/{tag}", "expected_reports", (scope,)),
            Call(f"overview/{tag}", "metric_by_year", (scope, "applications")),
            Call(f"overview/{tag}", "metric_by_subregion", (scope, "on_time_rate", year)),
            Call(f"trends/{tag}", "metric_by_year", (scope, "applications", "region")),
            Call(f"trends/{tag}", "normative_pairs", (scope,)),
            Call(f"regions/{tag}", "metric_by_subregion", (scope, "applications", year)),
            Call(f"regions/{tag}", "metric_by_year", (scope, "on_time_rate", "region")),
            Call(f"compliance/{tag}", "not_filed", (scope, year)),
            Call(f"compliance/{tag}", "coverage", (scope,)),
            Call(f"compliance/{tag}", "finding_counts", (scope, year)),
            Call(f"compliance/{tag}", "findings", (scope, year, None, ["error", "warning"])),
            Call(f"compliance/{tag}", "compliance_scores", (scope, year)),
            Call(f"applications/{tag}", "applicants", (scope, year)),
            Call(f"applications/{tag}", "kpis", (scope, year, ("applications", "processed", "substantive_rate",
                                                                "not_held_rate", "carried_forward"))),
            Call(f"applications/{tag}", "outcomes", (scope, year)),
            Call(f"review/{tag}", "t4_by_year", (scope,)),
            Call(f"review/{tag}", "kpis", (scope, year, ("correction_rate",))),
            Call(f"review/{tag}", "metric_by_year", (scope, "correction_rate", "region")),
        ]
    out += [
        Call("regions/country", "region_codes", (names,)),
        Call("agency", "search_agencies", ("教育局",)),
        Call("agency", "agency", (aid,)), Call("agency", "agency_reports", (aid,)),
        Call("agency", "agency_findings", (aid,)), Call("agency", "report_cells", (rid,)),
        Call("agency", "report_text", (rid,)), Call("agency", "peers", (aid, year, "applications")),
        Call("data", "load_runs", ()), Call("data", "source_counts", ()), Call("data", "rejected", ()),
        Call("data", "unmatched", ()), Call("data", "formats_by_year", ()),
    ]
    return out
