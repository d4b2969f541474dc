"""``puente load FILE``: load a CSV (with its mapping), JSON-lines or FtM JSON file.

Invariant: the command never decides anything about the data itself — validation,
markings precedence and the single transaction are ``puente.ingest.load_file``'s. It
only turns options into a marking, shows progress and says, for every row count, which
markings were applied (command line, file, or the node default with its banner).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.progress import BarColumn, DownloadColumn, TextColumn, TimeRemainingColumn

from puente.cli.context import CliState, errors, problem_text, progress, state
from puente.errors import InvalidInput
from puente.model.markings import Markings

if TYPE_CHECKING:  # loaded only when a command runs: keeps `puente --help` fast
    from puente.ingest.load import LoadReport
    from puente.node import Node

MARKING_SOURCES = ("command_line", "file", "default")


def cli_markings(
    classification: str | None,
    rel_to: str | None,
    handling: str | None,
    evaluation: str | None,
    handling_note: str | None,
) -> dict[str, Any] | None:
    """A marking from the options, or ``None`` when none was given. A partial marking
    is refused (naming the missing option) rather than completed from a default."""
    given = {
        "--classification": classification,
        "--rel-to": rel_to,
        "--handling": handling,
        "--evaluation": evaluation,
        "--handling-note": handling_note,
    }
    if not any(v is not None for v in given.values()):
        return None
    for option in ("--classification", "--handling", "--evaluation"):
        if not given[option]:
            raise InvalidInput("cli.load_marking_missing", option=option)
    ev = str(evaluation).strip().upper()
    if len(ev) != 2:
        raise InvalidInput("error.marking_bad_value", field="--evaluation", value=evaluation)
    data: dict[str, Any] = {
        "classification": classification,
        "rel_to": rel_to or [],
        "handling": handling,
        "source_reliability": ev[0],
        "info_credibility": ev[1],
    }
    if handling_note:
        data["handling_note"] = handling_note
    return data


def load(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CSV, JSON lines (.jsonl) or FtM JSON (.json)"),
    mapping: Path | None = typer.Option(
        None, "--mapping", "-m", help="Column mapping (YAML) for a CSV file"
    ),
    classification: str | None = typer.Option(
        None, "--classification", help="public | restricted | confidential | secret"
    ),
    rel_to: str | None = typer.Option(
        None, "--rel-to", help="Partners it may be released to, e.g. USA,MEX"
    ),
    handling: str | None = typer.Option(None, "--handling", help="H0 | H1 | H2 | H3"),
    handling_note: str | None = typer.Option(None, "--handling-note", help="Note for H3"),
    evaluation: str | None = typer.Option(
        None, "--evaluation", help="Source reliability + credibility, e.g. B2"
    ),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Write valid rows; invalid ones go to FILE.rejects.jsonl"
    ),
    encoding: str = typer.Option("utf-8", "--encoding", help="e.g. latin-1"),
) -> None:
    """Load records from a file, all or nothing. / Carga registros de un archivo."""
    from puente.ingest.load import load_file

    st = state(ctx)
    with errors(st):
        marks = cli_markings(classification, rel_to, handling, evaluation, handling_note)
        with st.opened() as node:
            bar = progress(
                st,
                TextColumn("{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TimeRemainingColumn(),
            )
            with bar:
                task = bar.add_task(file.name, total=None)

                def on_progress(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                report = load_file(
                    node,
                    file,
                    mapping=mapping,
                    markings=marks,
                    skip_invalid=skip_invalid,
                    encoding=encoding,
                    on_progress=on_progress,
                )
            _print_report(st, node, report, marks)


def _print_report(
    st: CliState, node: Node, report: LoadReport, marks: dict[str, Any] | None
) -> None:
    st.say(
        "cli.load_done",
        file=report.file,
        rows=report.rows,
        created=report.created,
        changed=report.changed,
        unchanged=report.unchanged,
        rejected=report.rejected,
    )
    for source in MARKING_SOURCES:
        count = report.markings_source.get(source, 0)
        if not count:
            continue
        if source == "command_line" and marks is not None:
            parsed = Markings.parse(marks, originator=node.country, partners=node.partners())
            st.say("cli.load_marks_cli", count=count, banner=parsed.banner(st.lang))
        elif source == "file":
            st.say("cli.load_marks_file", count=count)
        else:
            st.say(
                "cli.load_marks_default", count=count, banner=node.default_markings.banner(st.lang)
            )
    if report.rejects_file:
        st.say("cli.load_rejects", path=report.rejects_file, count=report.rejected)
        for problem in report.problems[:20]:
            st.err.print(
                "  " + problem_text(problem, st.lang), markup=False, highlight=False, soft_wrap=True
            )
