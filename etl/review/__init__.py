"""The review side: decisions people make about findings, kept in their own store (SQLite beside
the warehouse, or PostgreSQL) so they outlive every warehouse rebuild.

    store        open_store(warehouse, url) -> ReviewStore   (the one place that picks the store)
    identity     agency_key, report_finding_id, reading_finding_id (the warehouse computes the same)
    scope        Scope, parse_scope                          (an account's region subtree)
    accounts     Accounts: add/list/disable/reset_password, login -> Session, touch, logout
    workflow     TRANSITIONS, decide, add_note, mark_fixed, mark_overdue  (every write is checked here)
    queries      states, state_of, state_counts, history, notes, export_columns  (reads, scope-bounded)
    corrections  correct, withdraw, versions, overrides      (the override layer over cell values)
    warehouse    read_findings(db) -> WarehouseFindings, fixes_between(old_db, new_db) -> [Fix]
    apply        apply_corrections(report, fields)           (in the parse worker, before the checks)
    loading      prepare(db, url) -> LoadReview              (the store at load: corrections, 已整改, 逾期未改)
    excel        import_workbook                             (python -m etl review import)
"""
