"""Stage 4, the warehouse (DuckDB): schema, agencies and deadlines, the load with its atomic
publish, flattening of cells for loading, export, and query results as Polars frames."""
