"""Coordination: the framework (one picture of own and received items), items and their
history, status changes, milestones and evidence, indicators and observations (a changed
figure is a revision), evaluation of computed indicators, meetings, and the bilingual
report as HTML or PDF. Roles, ownership (a partner's item is refused with 403) and audit
are applied by ``puente.coordinate``; this module only maps HTTP to it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from puente.api.deps import NodeDep, UserDep
from puente.api.routers.common import error_responses, record_out
from puente.api.schemas import RecordOut
from puente.coordinate import evaluate, framework, indicators, meetings, render, report
from puente.coordinate.writes import snapshot

router = APIRouter(prefix="/coordinate", tags=["coordinate"])
ItemId = Annotated[str, Path(description="Framework record id", max_length=200)]
Text = Annotated[str, Field(max_length=4000)]


class MarkingsIn(BaseModel):
    classification: str | None = Field(default=None, max_length=20)
    rel_to: list[str] | None = Field(default=None, max_length=20)


class ItemIn(BaseModel):
    level: str = Field(max_length=20)
    title_es: Text
    title_en: Text
    parent: str = Field(default="", max_length=200)
    description_es: Text | None = None
    description_en: Text | None = None
    owners: list[str] | None = Field(default=None, max_length=20)
    start: str | None = Field(default=None, max_length=10)
    due: str | None = Field(default=None, max_length=10)
    markings: MarkingsIn | None = None


class ItemPatch(BaseModel):
    expected_version: int | None = None
    title_es: Text | None = None
    title_en: Text | None = None
    description_es: Text | None = None
    description_en: Text | None = None
    owners: list[str] | None = Field(default=None, max_length=20)
    start: str | None = Field(default=None, max_length=10)
    due: str | None = Field(default=None, max_length=10)
    completed: str | None = Field(default=None, max_length=10)
    status: str | None = Field(default=None, max_length=20)
    status_note: Text | None = None


class MilestoneIn(BaseModel):
    title_es: Text
    title_en: Text
    due: str = Field(default="", max_length=10)


class EvidenceIn(BaseModel):
    title: Text
    url: str = Field(default="", max_length=2000)
    document: str = Field(default="", max_length=200)


class IndicatorIn(BaseModel):
    code: str = Field(max_length=60)
    name_es: Text
    name_en: Text
    unit: str = Field(max_length=60)
    kind: str = Field(max_length=20)
    periodicity: str = Field(max_length=20)
    direction: str = Field(max_length=20)
    definition_es: Text = ""
    definition_en: Text = ""
    evaluator: str = Field(default="", max_length=100)
    baseline: float | None = None
    baseline_period: str = Field(default="", max_length=10)
    target: float | None = None
    target_period: str = Field(default="", max_length=10)
    commitments: list[str] = Field(default_factory=list, max_length=100)


class ObservationIn(BaseModel):
    period: str = Field(max_length=10)
    value: float
    as_of: str = Field(max_length=10)
    source: str = Field(default="", max_length=500)
    note: Text = ""


class DecisionBody(BaseModel):
    text_es: Text
    text_en: Text
    creates: list[str] = Field(default_factory=list, max_length=100)
    changes: list[str] = Field(default_factory=list, max_length=100)


class MeetingBody(BaseModel):
    date: str = Field(max_length=10)
    title_es: Text
    title_en: Text
    place: str = Field(default="", max_length=400)
    agenda_es: list[Text] = Field(default_factory=list, max_length=100)
    agenda_en: list[Text] = Field(default_factory=list, max_length=100)
    attendees: list[str] = Field(default_factory=list, max_length=200)
    decisions: list[DecisionBody] = Field(default_factory=list, max_length=100)


def _marks(m: MarkingsIn | None) -> dict[str, Any] | None:
    return m.model_dump(exclude_none=True) if m else None


@router.get("/framework", summary="The framework / El marco", responses=error_responses(401, 403))
def get_framework(node: NodeDep, user: UserDep) -> dict[str, Any]:
    """Every item (own and the partner's) in number order, with its owner node."""
    frame = snapshot(node, user)
    return {
        "items": [
            {
                "id": i.id,
                "number": i.number,
                "level": i.level,
                "depth": depth,
                "parent": i.parent,
                "title": i.title,
                "status": i.status,
                "due": i.due,
                "owner": i.origin,
                "owners": [f"{c}:{a}" for c, a in i.owners],
                "version": i.version,
                "classification": i.classification,
            }
            for depth, i in frame.walk()
        ],
        "conflicts": [vars(c) for c in frame.conflicts()],
    }


@router.post("/items", summary="New item / Nuevo elemento",
             responses=error_responses(400, 401, 403, 404, 409, 422))  # fmt: skip
def create_item(node: NodeDep, user: UserDep, body: ItemIn) -> RecordOut:
    data = body.model_dump(exclude={"markings"}, exclude_none=True)
    rec = framework.create_item(node, user, markings=_marks(body.markings), **data)
    return record_out(rec, user.lang)


@router.get("/items/{rid}/history", summary="History / Historial",
            responses=error_responses(401, 403, 404))  # fmt: skip
def item_history(node: NodeDep, user: UserDep, rid: ItemId) -> list[dict[str, Any]]:
    return framework.item_history(node, user, rid)


@router.patch("/items/{rid}", summary="Change an own item / Modificar un elemento propio",
              responses=error_responses(400, 401, 403, 404, 409, 422))  # fmt: skip
def patch_item(node: NodeDep, user: UserDep, rid: ItemId, body: ItemPatch) -> RecordOut:
    """A partner's item (``USA:…`` on the Mexican node) is refused with 403."""
    data = body.model_dump(exclude={"expected_version"}, exclude_none=True)
    rec = framework.update_item(node, user, rid, expected_version=body.expected_version, **data)
    return record_out(rec, user.lang)


@router.post("/items/{rid}/milestones", summary="Milestone / Hito",
             responses=error_responses(400, 401, 403, 404, 422))  # fmt: skip
def add_milestone(node: NodeDep, user: UserDep, rid: ItemId, body: MilestoneIn) -> RecordOut:
    rec = framework.add_milestone(node, user, rid, body.title_es, body.title_en, body.due)
    return record_out(rec, user.lang)


@router.post("/items/{rid}/evidence", summary="Evidence / Evidencia",
             responses=error_responses(400, 401, 403, 404, 422))  # fmt: skip
def add_evidence(node: NodeDep, user: UserDep, rid: ItemId, body: EvidenceIn) -> RecordOut:
    rec = framework.add_evidence(node, user, rid, body.title, url=body.url, document=body.document)
    return record_out(rec, user.lang)


@router.get("/indicators", summary="Indicators / Indicadores", responses=error_responses(401, 403))
def list_indicators(node: NodeDep, user: UserDep) -> list[dict[str, Any]]:
    frame = snapshot(node, user)
    return [
        {"id": i.id, "code": i.code, "name": i.name, "unit": i.unit, "kind": i.kind,
         "periodicity": i.periodicity, "direction": i.direction, "baseline": i.baseline,
         "target": i.target, "target_period": i.target_period, "owner": i.origin,
         "series": [{"period": o.period, "value": o.value, "as_of": o.as_of, "source": o.source,
                     "id": o.id} for o in frame.series(i.id)]}
        for i in sorted(frame.indicators.values(), key=lambda i: i.code)
    ]  # fmt: skip


@router.post("/indicators", summary="Create an indicator / Crear indicador",
             responses=error_responses(400, 401, 403, 422))  # fmt: skip
def create_indicator(node: NodeDep, user: UserDep, body: IndicatorIn) -> RecordOut:
    rec = indicators.create_indicator(node, user, **body.model_dump())
    return record_out(rec, user.lang)


@router.post("/indicators/{rid}/observations", summary="Report a value / Reportar un valor",
             responses=error_responses(400, 401, 403, 404, 409, 422))  # fmt: skip
def observe(node: NodeDep, user: UserDep, rid: ItemId, body: ObservationIn) -> dict[str, Any]:
    """A different value for a period that has one is a revision: both are kept."""
    written, old = indicators.record_observation(
        node, user, rid, body.period, body.value,
        as_of=body.as_of, source=body.source, note=body.note,
    )  # fmt: skip
    return {"written": written.id if written else None, "supersedes": old.id if old else None}


@router.post("/evaluate", summary="Evaluate computed indicators / Calcular indicadores",
             responses=error_responses(400, 401, 403, 404))  # fmt: skip
def run_evaluate(
    node: NodeDep,
    user: UserDep,
    indicator: Annotated[str, Query(max_length=200)] = "",
    period: Annotated[str, Query(max_length=10)] = "",
) -> list[dict[str, Any]]:
    return [e.to_dict() for e in evaluate.evaluate(node, user, indicator, period)]


@router.post("/meetings", summary="Record a meeting / Registrar reunión",
             responses=error_responses(400, 401, 403, 404, 422))  # fmt: skip
def add_meeting(node: NodeDep, user: UserDep, body: MeetingBody) -> RecordOut:
    meeting = meetings.MeetingIn(
        date=body.date, title_es=body.title_es, title_en=body.title_en, place=body.place,
        agenda_es=tuple(body.agenda_es), agenda_en=tuple(body.agenda_en),
        attendees=tuple(body.attendees),
        decisions=tuple(
            meetings.DecisionIn(d.text_es, d.text_en, tuple(d.creates), tuple(d.changes))
            for d in body.decisions
        ),
    )  # fmt: skip
    return record_out(meetings.add_meeting(node, user, meeting), user.lang)


@router.get("/report", summary="Progress report / Informe de avance",
            responses=error_responses(400, 401, 403))  # fmt: skip
def get_report(
    node: NodeDep,
    user: UserDep,
    period: Annotated[str, Query(max_length=10, description="2026, 2026-Q1, 2026-03")],
    lang: Literal["es", "en"] = "es",
    format: Literal["html", "pdf"] = "html",
) -> Response:
    built = report.build(node, user, period, lang)
    if format == "pdf":
        name = f"report-{built.period.code}-{lang}.pdf"
        return Response(
            render.pdf(built),
            media_type="application/pdf",
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )
    return HTMLResponse(render.html(built))
