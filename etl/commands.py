"""Commands beyond `parse` (load, export, demo-corpus) register themselves here."""

from __future__ import annotations


def register(sub) -> None:  # noqa: ARG001 - filled in as the warehouse stages land
    return None
