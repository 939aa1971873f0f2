"""Every registered query with the arguments a page would give it, taken from the database at
hand: what the query benchmark times (bench/queries.py) and what the speed guard in the tests
checks. It enumerates the query registry, so a new query is timed as soon as it exists."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard import queries as q

REFERENCE_SQL = "SELECT count(*), sum(t3__new_received__total) FROM reports"  # the yardstick for ratios


@dataclass(frozen=True)
class Call:
    query: q.Query
    args: tuple
    n: int  # the example's number among the query's examples

    @property
    def label(self) -> str:
        scope = next((a for a in self.args if isinstance(a, q.Scope)), None)
        where = "" if scope is None else f"/{scope.name()}"
        return f"{self.query.name}#{self.n}{where}"

    def run(self, con):
        return self.query(con, *self.args)


def sample(con) -> q.Sample:
    """The latest full year, the largest province, the agency with most reports and one of its reports."""
    held = q.years(con)
    years = held["year"].to_list()
    year = years[-2] if len(years) > 1 else (years[-1] if years else 2024)
    collected = tuple(held.filter(held["collected"])["year"].to_list())
    prov_row = con.sql("""SELECT a.province, count(*) n FROM reports r JOIN agencies a USING (agency_id)
                          WHERE a.province IS NOT NULL GROUP BY 1 ORDER BY n DESC LIMIT 1""").fetchall()
    prov = prov_row[0][0] if prov_row else "江西省"
    aid_row = con.sql(
        "SELECT agency_id, max(report_id) FROM reports GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
    ).fetchall()
    aid, rid = aid_row[0] if aid_row else (1, "")
    names = q.metric_by_subregion(con, q.Scope(), "applications", year)["name"].to_list()
    names = [n for n in names if n is not None]
    return q.Sample(year, q.Scope(), q.Scope(province=prov), aid, rid, tuple(names), collected)


def calls(con) -> list[Call]:
    """Every registered query, once per example, in the registry's order."""
    s = sample(con)
    return [Call(entry, args, i) for entry in q.QUERIES.values() for i, args in enumerate(entry.examples(s))]
