"""A mock government website served on 127.0.0.1 for the collector's tests (no other network)."""
