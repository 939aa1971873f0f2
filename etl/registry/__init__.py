"""One place for each meaning: fields (the data dictionary with printed labels and variants),
rules (every check with its scope, origin, severity and words) and places (region words)."""
