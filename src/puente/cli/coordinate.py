"""``puente coordinate``: the secretariat's commands (rendering only; the rules live in
``puente.coordinate``).

Framework: ``tree``, ``show``, ``add``, ``status``, ``milestone``, ``evidence``.
Indicators: ``indicator``, ``observe``, ``import`` (plain CSV or the CBP export),
``evaluate``. Meetings: ``meeting FILE.yaml``. ``report --lang es|en --period 2026-Q1``.
``example`` loads this node's share of the 2025 framework.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from puente.cli.context import CliState, add_row, errors, state
from puente.errors import InvalidInput

coordinate_app = typer.Typer(
    help="High-level coordination / Coordinación de alto nivel", no_args_is_help=True
)
AS_USER = typer.Option(None, "--as", help="Act as this user / Actuar como este usuario")
JSON = typer.Option(False, "--json", help="Print JSON / Imprimir JSON")


def _open(st: CliState, as_user: str | None) -> tuple[Any, Any]:
    node = st.open_node()
    return node, st.actor(node, as_user)


def _markings(classification: str | None, rel_to: str | None) -> dict[str, Any] | None:
    given: dict[str, Any] = {}
    if classification:
        given["classification"] = classification
    if rel_to is not None:
        given["rel_to"] = [p for p in rel_to.split(",") if p.strip()]
    return given or None


@coordinate_app.command("tree")
def tree_cmd(ctx: typer.Context, as_user: str | None = AS_USER, as_json: bool = JSON) -> None:
    """The framework, own items and the partner's. / El marco de compromisos."""
    from puente.coordinate.writes import snapshot

    st = state(ctx)
    with errors(st):
        node, user = _open(st, as_user)
        frame = snapshot(node, user)
        rows = [
            {"id": i.id, "number": i.number, "level": i.level, "title": i.text(st.lang),
             "status": i.status, "due": i.due, "owner": i.origin,
             "owners": [f"{c}:{a}" for c, a in i.owners]}
            for _, i in frame.walk()
        ]  # fmt: skip
        if as_json:
            st.console.print_json(json.dumps(rows, ensure_ascii=False))
            return
        table = Table()
        for key in ("number", "title", "status", "due", "origin", "owner"):
            table.add_column(st.t(f"coordinate.col_{key}"))
        for depth, item in frame.walk():
            status = st.t(f"coordinate.status_{item.status}") if item.level in (
                "commitment", "action") else ""  # fmt: skip
            owners = "; ".join(f"{c} {a}".strip() for c, a in item.owners)
            add_row(table, item.number, "  " * depth + item.text(st.lang), status, item.due,
                    item.origin, owners)  # fmt: skip
        st.console.print(table)
        for c in frame.conflicts():
            st.say("coordinate.cli_conflict", count=len(c.ids), number=c.number)


@coordinate_app.command("show")
def show_cmd(ctx: typer.Context, rid: str, as_user: str | None = AS_USER) -> None:
    """An item with its milestones, evidence and history. / Un elemento y su historial."""
    from puente.coordinate import framework
    from puente.coordinate.writes import snapshot

    st = state(ctx)
    with errors(st):
        node, user = _open(st, as_user)
        frame = snapshot(node, user)
        item = frame.items.get(rid)
        if item is None:
            from puente.errors import NotFound

            raise NotFound("coordinate.no_item", id=rid)
        data = {
            "item": {k: v for k, v in vars(item).items() if k != "markings"},
            "markings": item.markings.banner(st.lang),
            "milestones": [vars(m) | {"markings": None} for m in frame.milestones(rid)],
            "evidence": [vars(e) | {"markings": None} for e in frame.evidence(rid)],
            "history": framework.item_history(node, user, rid),
        }
        st.console.print_json(json.dumps(data, ensure_ascii=False, default=str))


@coordinate_app.command("add")
def add_cmd(
    ctx: typer.Context,
    level: str = typer.Option(..., "--level", help="goal | area | objective | commitment | action"),
    title_es: str = typer.Option(..., "--title-es"),
    title_en: str = typer.Option(..., "--title-en"),
    parent: str = typer.Option("", "--parent", help="Parent item id (own or MEX:/USA: copy)"),
    owner: list[str] = typer.Option([], "--owner", help="COUNTRY:Agency (repeatable)"),
    due: str = typer.Option("", "--due", help="YYYY-MM-DD"),
    classification: str | None = typer.Option(None, "--classification"),
    rel_to: str | None = typer.Option(None, "--rel-to", help="Partners, comma-separated"),
    as_user: str | None = AS_USER,
) -> None:
    """Add a framework item (numbered under its parent). / Agregar un elemento."""
    from puente.coordinate import framework

    st = state(ctx)
    with errors(st):
        node, user = _open(st, as_user)
        rec = framework.create_item(
            node, user, level=level, parent=parent, title_es=title_es, title_en=title_en,
            owners=owner or None, due=due or None, markings=_markings(classification, rel_to),
        )  # fmt: skip
        st.say("coordinate.cli_created", id=rec.id, number=rec.properties["number"][0],
               node=node.country)  # fmt: skip


@coordinate_app.command("status")
def status_cmd(
    ctx: typer.Context,
    rid: str,
    status: str = typer.Argument(..., help="not_started | limited | substantial | completed"),
    note: str = typer.Option("", "--note"),
    as_user: str | None = AS_USER,
) -> None:
    """Set an own item's status. / Cambiar el estado de un elemento propio."""
    from puente.coordinate import framework

    st = state(ctx)
    with errors(st):
        node, user = _open(st, as_user)
        rec = framework.set_status(node, user, rid, status, note)
        st.say("coordinate.cli_updated", id=rec.id, version=rec.version)


@coordinate_app.command("milestone")
def milestone_cmd(
    ctx: typer.Context,
    commitment: str,
    title_es: str = typer.Option(..., "--title-es"),
    title_en: str = typer.Option(..., "--title-en"),
    due: str = typer.Option("", "--due"),
    as_user: str | None = AS_USER,
) -> None:
    """Add a milestone to an own commitment. / Agregar un hito."""
    from puente.coordinate import framework

    st = state(ctx)
    with errors(st):
        node, user = _open(st, as_user)
        rec = framework.add_milestone(node, user, commitment, title_es, title_en, due)
        st.say("coordinate.cli_created", id=rec.id, number="-", node=node.country)


@coordinate_app.command("evidence")
def evidence_cmd(
    ctx: typer.Context,
    commitment: str,
    title: str = typer.Option(..., "--title"),
    url: str = typer.Option("", "--url"),
    document: str = typer.Option("", "--document", help="A record id held by the node"),
    file: Path | None = typer.Option(None, "--file", help="Named by its SHA-256"),
    as_user: str | None = AS_USER,
) -> None:
    """Add evidence to a commitment. / Agregar evidencia."""
    from puente.coordinate import framework

    st = state(ctx)
    with errors(st):
        node, user = _open(st, as_user)
        rec = framework.add_evidence(node, user, commitment, title, url=url, document=document,
                                     file=file)  # fmt: skip
        st.say("coordinate.cli_created", id=rec.id, number="-", node=node.country)


@coordinate_app.command("indicator")
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
        node, user = _open(st, as_user)
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


@coordinate_app.command("observe")
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
        node, user = _open(st, as_user)
        written, old = record_observation(
            node, user, indicator, period, value, as_of=as_of, source=source, note=note
        )
        if written is None:
            st.say("coordinate.cli_unchanged")
        elif old is not None:
            st.say("coordinate.cli_revised", id=written.id, old=old.id)
        else:
            st.say("coordinate.cli_observed", id=written.id)


@coordinate_app.command("import")
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
        node, user = _open(st, as_user)
        filters = {}
        for item in only:
            col, sep, val = item.partition("=")
            if not sep:
                raise InvalidInput("coordinate.bad_param", kind="--only", param=item)
            filters[col] = val
        rows = csvimport.read_rows(file, cbp_indicator=cbp, as_of=as_of, only=filters or None)
        report = csvimport.import_rows(node, user, rows)
        st.say("coordinate.cli_imported", **vars(report))


@coordinate_app.command("evaluate")
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
        node, user = _open(st, as_user)
        for e in evaluate(node, user, indicator, period):
            value = st.t("coordinate.unavailable") if e.value is None else f"{e.value:g}"
            st.say("coordinate.cli_evaluated", indicator=e.indicator, period=e.period,
                   value=value, outcome=e.outcome)  # fmt: skip


@coordinate_app.command("meeting")
def meeting_cmd(ctx: typer.Context, file: Path, as_user: str | None = AS_USER) -> None:
    """Record a meeting and its decisions from YAML. / Registrar una reunión."""
    from puente.coordinate.meetings import add_meeting, read_meeting_file

    st = state(ctx)
    with errors(st):
        node, user = _open(st, as_user)
        rec = add_meeting(node, user, read_meeting_file(file))
        st.say("coordinate.cli_meeting", id=rec.id)


@coordinate_app.command("report")
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
        node, user = _open(st, as_user)
        report = build(node, user, period, lang)
        path = out or Path(f"report-{report.period.code}-{lang}.{fmt}")
        if fmt == "pdf":
            path.write_bytes(render.pdf(report))
        else:
            path.write_text(render.html(report), "utf-8")
        st.say("coordinate.cli_report", path=str(path))


@coordinate_app.command("example")
def example_cmd(
    ctx: typer.Context,
    cbp: Path | None = typer.Option(None, "--cbp", help="CBP encounters CSV (US node)"),
    as_user: str | None = AS_USER,
) -> None:
    """Load this node's share of the 2025 framework. / Cargar el marco de ejemplo."""
    from puente.coordinate.example import find_cbp, load_example

    st = state(ctx)
    with errors(st):
        node, user = _open(st, as_user)
        loaded = load_example(node, user, cbp_file=cbp or find_cbp())
        st.say("coordinate.cli_example", node=loaded.country, items=loaded.items,
               indicators=loaded.indicators, observations=loaded.observations,
               meetings=loaded.meetings)  # fmt: skip
