"""Ingest: CSV (with a declared mapping), JSON lines and FtM JSON into marked records.

``load_file`` is the one entry point (CLI, API and demo call it). See ``load.py`` for
the guarantees: every row validated, nothing written when any row is invalid unless
``skip_invalid``, no duplicates on reload.
"""

from puente.ingest.load import LoadReport, load_file

__all__ = ["LoadReport", "load_file"]
