"""``POST /load``: upload a CSV / JSON lines / FtM JSON file and load it.

The body is streamed to a temporary directory by ``puente.api.upload`` and refused
with 413 the moment it passes the node's ``max_upload_mb`` (nothing written, the node
keeps serving). Then ``puente.access.load_records`` runs the ingest with the caller as
actor: an invalid file writes nothing and answers 422 with every problem.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from puente import access
from puente.api.deps import NodeDep, UserDep
from puente.api.errors import problem_out
from puente.api.routers.common import check_markings, error_responses
from puente.api.schemas import LoadReportOut, ProblemOut
from puente.api.upload import Upload, receive_upload
from puente.errors import InvalidInput
from puente.ingest.load import LoadReport
from puente.model.markings import FIELDS

router = APIRouter(tags=["load"])
OPTIONS = {"skip_invalid", "encoding", "markings"}
MARKING_FIELDS = set(FIELDS) - {"originator"}
_TRUE = {"1", "true", "yes", "on", "si", "sí"}
_FALSE = {"0", "false", "no", "off", ""}

FORM_SCHEMA: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": ".csv (with mapping), .jsonl/.ndjson/.ftm or .json",
                        },
                        "mapping": {
                            "type": "string",
                            "format": "binary",
                            "description": "YAML column mapping (CSV only)",
                        },
                        "skip_invalid": {"type": "boolean", "default": False},
                        "encoding": {"type": "string", "default": "utf-8"},
                        "markings": {
                            "type": "string",
                            "description": "Markings as a JSON object (or the fields below)",
                        },
                        **{name: {"type": "string"} for name in sorted(MARKING_FIELDS)},
                    },
                }
            }
        },
    }
}


def _options(upload: Upload) -> dict[str, Any]:
    """The load options from the form fields; unknown or malformed ones are refused."""
    fields = upload.fields
    unknown = sorted(set(fields) - OPTIONS - MARKING_FIELDS)
    if unknown:
        raise InvalidInput("api.unknown_form_field", field=unknown[0][:80])
    flag = fields.get("skip_invalid", "").strip().lower()
    if flag not in _TRUE | _FALSE:
        raise InvalidInput("api.bad_bool", field="skip_invalid", value=flag[:20])
    markings: dict[str, Any] = {k: v for k, v in fields.items() if k in MARKING_FIELDS}
    if "markings" in fields:
        try:
            given = json.loads(fields["markings"])
        except ValueError as exc:
            raise InvalidInput("api.bad_markings_json", field="markings") from exc
        if not isinstance(given, dict):
            raise InvalidInput("api.bad_markings_json", field="markings")
        markings = {**given, **markings}
    encoding = fields.get("encoding", "").strip() or "utf-8"
    return {
        "mapping": upload.files.get("mapping"),
        "markings": check_markings(markings),
        "skip_invalid": flag in _TRUE,
        "encoding": encoding[:40],
        "display_name": upload.display_name,
    }


def _client_names(exc: InvalidInput, upload: Upload) -> None:
    """Messages name the client's files, never the server's temporary paths."""
    names = {
        str(path): upload.filenames.get(part) or path.name for part, path in upload.files.items()
    }
    for key, value in exc.params.items():
        if isinstance(value, str):
            for path, name in names.items():
                value = value.replace(path, name)
            exc.params[key] = value.replace(str(upload.directory), "")


def _keep_rejects(report: LoadReport, rejects_dir: Path) -> None:
    """Move the rejects file out of the temporary directory, beside the node's data."""
    if report.rejects_file:
        rejects_dir.mkdir(parents=True, exist_ok=True)
        target = rejects_dir / f"{report.load_id}.rejects.jsonl"
        shutil.move(report.rejects_file, target)
        report.rejects_file = f"rejects/{target.name}"


@router.post(
    "/load",
    summary="Load a file / Cargar un archivo",
    response_model=LoadReportOut,
    responses=error_responses(400, 401, 403, 413, 422),
    openapi_extra=FORM_SCHEMA,
)
async def load(request: Request, node: NodeDep, user: UserDep) -> LoadReportOut:
    """Upload a file (``multipart/form-data``) and load it as your records (analyst or
    releasing officer). Markings: the form fields, else the file or mapping, else
    the node default; the report says how many rows got each. A file with any invalid
    row writes nothing (422, every problem with file, line, field and reason) unless
    ``skip_invalid``, which loads the valid rows and keeps the rejects. Loading the
    same file again changes nothing. Larger than the node's ``max_upload_mb`` → 413."""
    access.require_role(user, "analyst", "releasing_officer")
    limit = node.settings.max_upload_mb << 20
    with tempfile.TemporaryDirectory(prefix="puente-upload-") as tmp:
        upload = await receive_upload(
            request.headers.get("content-type", ""),
            request.headers.get("content-length"),
            request.stream(),
            Path(tmp),
            limit,
        )
        options = _options(upload)
        try:
            report = await run_in_threadpool(
                access.load_records, node, user, upload.files["file"], **options
            )
        except InvalidInput as exc:
            _client_names(exc, upload)
            raise
        _keep_rejects(report, node.settings.node_dir / "rejects")
    data = report.to_dict()
    data["problems"] = [ProblemOut(**problem_out(p, user.lang)) for p in report.problems]
    return LoadReportOut(**data)
