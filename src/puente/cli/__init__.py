"""The command line (Typer). Interfaces only: every command calls a feature function
and renders its result or error through the bilingual catalogue."""
