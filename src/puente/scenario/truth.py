"""The ground truth written beside the data (``OUT/truth/``) and the manifest.

Files (CSV, UTF-8, header first, ``\\n`` line ends):
- ``people.csv``   person_id, origin, culture, gender, given, paternal, maternal, birth_date,
  nationality, alias, curp, ssn — each real person once, with their true name;
- ``persons.csv``  record_id, node, person_id — which Person records are the same person;
- ``firearms.csv`` record_id, node, gun_id — which Firearm records are the same gun;
- ``vessels.csv``  record_id, node, vessel_id;
- ``networks.csv`` person_id, network_id, kind, role — one row per membership (a broker in
  two networks has two rows);
- ``chains.csv``   one row per trafficked gun: purchase and recovery records and dates,
  time-to-crime, network, dealer, purchaser, possessor, the true and recorded serial and
  the kind of serial error (exact, ocr, partial, missing; empty when never recovered);
- ``manifest.json`` parameters, counts and the sha256 of every other file.

Invariant: rows are appended in generation order and never rewritten, so the files are
byte-identical for a given seed and size.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

FORMAT = "puente-scenario/1"
TRUTH_FILES: dict[str, tuple[str, ...]] = {
    "people": (
        "person_id",
        "origin",
        "culture",
        "gender",
        "given",
        "paternal",
        "maternal",
        "birth_date",
        "nationality",
        "alias",
        "curp",
        "ssn",
    ),
    "persons": ("record_id", "node", "person_id"),
    "firearms": ("record_id", "node", "gun_id"),
    "vessels": ("record_id", "node", "vessel_id"),
    "networks": ("person_id", "network_id", "kind", "role"),
    "chains": (
        "gun_id",
        "purchase_record",
        "recovery_record",
        "purchase_date",
        "recovery_date",
        "time_to_crime_days",
        "network_id",
        "dealer_record",
        "purchaser_person_id",
        "possessor_person_id",
        "true_serial",
        "recorded_serial",
        "serial_error",
    ),
}


class Truth:
    def __init__(self, out: Path) -> None:
        self.dir = out / "truth"
        self.dir.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, IO[str]] = {}
        self._writers: dict[str, Any] = {}
        self.counts: dict[str, int] = {}
        for name, header in TRUTH_FILES.items():
            fh = (self.dir / f"{name}.csv").open("w", encoding="utf-8", newline="")
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            self._files[name], self._writers[name] = fh, writer
            self.counts[name] = 0

    def row(self, name: str, *values: object) -> None:
        self._writers[name].writerow(values)
        self.counts[name] += 1

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()


@dataclass
class Manifest:
    """What was generated: enough to reproduce it and to check nothing changed."""

    format: str
    size: int
    seed: int
    parameters: dict[str, Any]
    records: int
    counts: dict[str, int]  # lines per data file ("mx/persons.jsonl": 1234)
    truth: dict[str, int]  # rows per truth file
    networks: dict[str, int]  # networks per kind
    files: dict[str, str] = field(default_factory=dict)  # relative path → sha256
    versions: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    def write(self, out: Path) -> Path:
        path = out / "truth" / "manifest.json"
        path.write_text(self.to_json(), encoding="utf-8")
        return path

    @classmethod
    def read(cls, out: Path) -> Manifest:
        data = json.loads((out / "truth" / "manifest.json").read_text("utf-8"))
        return cls(**data)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
