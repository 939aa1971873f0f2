import sys


class _NoPandas:
    """pyarrow imports pandas on its first array only to ask whether it was handed a DataFrame: half a
    second, a sixth of a day's small load (BENCHMARKS.md). A load never hands it one and nothing in a
    load uses pandas, so `python -m etl load` runs without it: its import raises ImportError, which
    pyarrow and DuckDB take as "not installed"."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"{name} is not used by a load", name=name)
        return None


if sys.argv[1:2] == ["load"] and "pandas" not in sys.modules:
    sys.meta_path.insert(0, _NoPandas)

from etl.cli import main  # noqa: E402

sys.exit(main())
