"""Stage 2, extract: a Document (any format) becomes the canonical Report.

rows (every table layout -> labelled rows) -> tables (labels -> T2/T3/T4 keys, by the field
registry) ; metadata (title, agency, year, dates, sections) ; places (agency -> region) ;
prose (counts stated in the text) ; assemble (all of it -> Report) ; report_json (Report -> JSON)."""
