"""Stage 3, check: the rules of the rule registry (etl.registry.rules), by scope.

report_rules: one report's own arithmetic and structure (run in the parse workers);
cross_report: rules across reports and years, as SQL in the warehouse after each load."""
