"""Builders of the reference data shipped in data/: the region gazetteer and the map outlines."""
