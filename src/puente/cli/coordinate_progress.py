"""``puente coordinate indicator|observe|import|evaluate|meeting|report|example``: how
progress on the framework is measured and reported (rendering only; the rules live in
``puente.coordinate``).

Indicators: ``indicator``, ``observe``, ``import`` (plain CSV or the CBP export),
``evaluate``. Meetings: ``meeting FILE.yaml``. ``report --lang es|en --period 2026-Q1``.
``example`` loads this node's share of the 2025 framework.
"""

from __future__ import annotations

from pathlib import Path

import typer

from puente.cli.context import errors, state
from puente.errors import InvalidInput

AS_USER = typer.Option(None, "--as", help="Act as this user / Actuar como este usuario")
JSON = typer.Option(False, "--json", help="Print JSON / Imprimir JSON")


def indicator_cmd(
    ctx: typer.Context,
    code: str = typer.Option(..., "--code"),
    name_es: str = typer.Option("", "--name-es"),
    name_en: str = typer.Option("", "--name-en"),
    unit: str = typer.Option("", "--unit"),
    kind: str = typer.Option("reported", "--kind", help="reported | computed"),
    evaluator: str = typer.Option("", "--evaluator", help="A computed definition's name"),
    periodicity: str = typer.Option("monthly", "--periodicity"),
    direction: str = typer.Option("", "--direction", help="increase | decrease | maintain"),
    baseline: float | None = typer.Option(None, "--baseline"),
    baseline_period: str = typer.Option("", "--baseline-period"),
    target: float | None = typer.Option(None, "--target"),
    target_period: str = typer.Option("", "--target-period"),
    commitment: list[str] = typer.Option([], "--commitment", help="Measured item (repeatable)"),
    as_user: str | None = AS_USER,
) -> None:
    """Create or update an own indicator. / Crear o actualizar un indicador propio."""
    from puente.coordinate.definitions import definitions
    from puente.coordinate.indicators import create_indicator

    st = state(ctx)
    with errors(st):
        with st.session(as_user) as (node, user):
            defn = definitions(node).get(evaluator) if kind == "computed" else None
            rec = create_indicator(
                node, user, code=code, kind=kind, evaluator=evaluator, periodicity=periodicity,
                name_es=name_es or (defn.text["es"] if defn else ""),
                name_en=name_en or (defn.text["en"] if defn else ""),
                unit=unit or (defn.unit if defn else ""),
                direction=direction or (defn.direction if defn else "increase"),
                definition_es=defn.definition["es"] if defn else "",
                definition_en=defn.definition["en"] if defn else "",
                baseline=baseline, baseline_period=baseline_period, target=target,
                target_period=target_period, commitments=commitment,
            )  # fmt: skip
        st.say("coordinate.cli_updated", id=rec.id, version=rec.version)


def observe_cmd(
    ctx: typer.Context,
    indicator: str,
    period: str = typer.Option(..., "--period", help="2026, 2026-Q1 or 2026-03"),
    value: float = typer.Option(..., "--value"),
    as_of: str = typer.Option(..., "--as-of", help="YYYY-MM-DD the figure was published"),
    source: str = typer.Option("", "--source"),
    note: str = typer.Option("", "--note"),
    as_user: str | None = AS_USER,
) -> None:
    """Report a value (a different one for the same period is a revision). / Reportar."""
    from puente.coordinate.indicators import record_observation

    st = state(ctx)
    with errors(st):
        written, old = st.call(
            as_user, record_observation, indicator, period, value, as_of=as_of, source=source,
            note=note,
        )  # fmt: skip
        if written is None:
            st.say("coordinate.cli_unchanged")
        elif old is not None:
            st.say("coordinate.cli_revised", id=written.id, old=old.id)
        else:
            st.say("coordinate.cli_observed", id=written.id)


def import_cmd(
    ctx: typer.Context,
    file: Path,
    cbp: str = typer.Option("", "--cbp", help="Indicator fed by the CBP encounters export"),
    only: list[str] = typer.Option([], "--only", help="COLUMN=VALUE filter (CBP, repeatable)"),
    as_of: str = typer.Option("", "--as-of"),
    as_user: str | None = AS_USER,
) -> None:
    """Import reported values from CSV. / Importar valores desde CSV."""
    from puente.coordinate import csvimport

    st = state(ctx)
    with errors(st):
        with st.session(as_user) as (node, user):
            filters = {}
            for item in only:
                col, sep, val = item.partition("=")
                if not sep:
                    raise InvalidInput("coordinate.bad_param", kind="--only", param=item)
                filters[col] = val
            rows = csvimport.read_rows(file, cbp_indicator=cbp, as_of=as_of, only=filters or None)
            report = csvimport.import_rows(node, user, rows)
        st.say("coordinate.cli_imported", **vars(report))


def evaluate_cmd(
    ctx: typer.Context,
    indicator: str = typer.Option("", "--indicator"),
    period: str = typer.Option("", "--period", help="Default: the period in course and the last"),
    as_user: str | None = AS_USER,
) -> None:
    """Evaluate own computed indicators now. / Calcular los indicadores propios."""
    from puente.coordinate.evaluate import evaluate

    st = state(ctx)
    with errors(st):
        for e in st.call(as_user, evaluate, indicator, period):
            value = st.t("coordinate.unavailable") if e.value is None else f"{e.value:g}"
            st.say("coordinate.cli_evaluated", indicator=e.indicator, period=e.period,
                   value=value, outcome=e.outcome)  # fmt: skip


def meeting_cmd(ctx: typer.Context, file: Path, as_user: str | None = AS_USER) -> None:
    """Record a meeting and its decisions from YAML. / Registrar una reunión."""
    from puente.coordinate.meetings import add_meeting, read_meeting_file

    st = state(ctx)
    with errors(st):
        with st.session(as_user) as (node, user):
            rec = add_meeting(node, user, read_meeting_file(file))
        st.say("coordinate.cli_meeting", id=rec.id)


def report_cmd(
    ctx: typer.Context,
    period: str = typer.Option(..., "--period", help="2026, 2026-Q1 or 2026-03"),
    lang: str = typer.Option("es", "--lang", help="es | en"),
    fmt: str = typer.Option("pdf", "--format", help="pdf | html"),
    out: Path | None = typer.Option(None, "--out", help="Default: report-PERIOD-LANG.FORMAT"),
    as_user: str | None = AS_USER,
) -> None:
    """The bilingual progress report. / El informe de avance."""
    from puente.coordinate import render
    from puente.coordinate.report import build

    st = state(ctx)
    with errors(st):
        if lang not in ("es", "en"):
            raise InvalidInput("coordinate.bad_code", field="lang", value=lang, allowed="es, en")
        if fmt not in ("pdf", "html"):
            raise InvalidInput("coordinate.bad_format", value=fmt)
        report = st.call(as_user, build, period, lang)
        path = out or Path(f"report-{report.period.code}-{lang}.{fmt}")
        if fmt == "pdf":
            path.write_bytes(render.pdf(report))
        else:
            path.write_text(render.html(report), "utf-8")
        st.say("coordinate.cli_report", path=str(path))


def example_cmd(
    ctx: typer.Context,
    cbp: Path | None = typer.Option(None, "--cbp", help="CBP encounters CSV (US node)"),
    as_user: str | None = AS_USER,
) -> None:
    """Load this node's share of the 2025 framework. / Cargar el marco de ejemplo."""
    from puente.coordinate.example import find_cbp, load_example

    st = state(ctx)
    with errors(st):
        with st.session(as_user) as (node, user):
            loaded = load_example(node, user, cbp_file=cbp or find_cbp())
        st.say("coordinate.cli_example", node=loaded.country, items=loaded.items,
               indicators=loaded.indicators, observations=loaded.observations,
               meetings=loaded.meetings)  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add these commands to ``puente coordinate`` (after the framework's)."""
    app.command("indicator")(indicator_cmd)
    app.command("observe")(observe_cmd)
    app.command("import")(import_cmd)
    app.command("evaluate")(evaluate_cmd)
    app.command("meeting")(meeting_cmd)
    app.command("report")(report_cmd)
    app.command("example")(example_cmd)
