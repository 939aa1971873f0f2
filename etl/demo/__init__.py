"""The demo corpus: realistic generated reports, a registry and a ground truth per document.

Its distributions and defect rates are in data/demo-recipe.toml."""
