"""Streams records to ``OUT/<node>/<kind>.jsonl``, one FtM entity with markings per line.

Invariants:
- memory is bounded: each file keeps a shuffle buffer of ``BUFFER`` lines and nothing else,
  so writing ten million records costs what writing ten thousand does;
- output is a pure function of the calls made: record ids come from a per-node counter
  passed through a fixed bijection (unique, but not in creation order), and the shuffle
  draws from its own seeded stream, so the same seed gives byte-identical files;
- the shuffle keeps a person's duplicate records, or a gun's purchase and its firearm,
  from sitting next to each other in the file, where a matcher could cheat on position;
- each file's SHA-256 is computed on the bytes as they are written.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import IO, Any

from puente.scenario.catalogue import NODES, load_catalogue
from puente.scenario.draw import below, pick

_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
BUFFER = 2048
FLUSH = 512
_MASK = (1 << 40) - 1
ABBREVIATIONS = {
    "Person": "per",
    "Company": "org",
    "Organization": "org",
    "Firearm": "gun",
    "Acquisition": "acq",
    "Recovery": "rec",
    "BorderCrossing": "bxc",
    "Interdiction": "int",
    "Vessel": "ves",
    "Vehicle": "veh",
    "Event": "evt",
    "Call": "call",
    "Payment": "pay",
    "Family": "fam",
    "Associate": "asc",
    "Membership": "mem",
    "Ownership": "own",
    "UnknownLink": "lnk",
}


def scramble(n: int, key: int) -> int:
    """A bijection on 40-bit integers (xorshift-multiply rounds): distinct counters give
    distinct, unordered-looking ids."""
    x = (n ^ key) & _MASK
    x ^= x >> 19
    x = (x * 0x9E3779B97F) & _MASK  # odd multiplier: invertible modulo 2**40
    x ^= x >> 13
    x = (x * 0xC2B2AE3D27) & _MASK
    x ^= x >> 17
    return x


class _Stream:
    def __init__(self, path: Path, rng: random.Random) -> None:
        self.path = path
        self.fh: IO[bytes] = path.open("wb")
        self.sha = hashlib.sha256()
        self.rng = rng
        self.buffer: list[str] = []
        self.pending: list[str] = []
        self.count = 0

    def add(self, line: str) -> None:
        self.count += 1
        if len(self.buffer) < BUFFER:
            self.buffer.append(line)
            return
        i = below(self.rng, BUFFER)
        self.pending.append(self.buffer[i])
        self.buffer[i] = line
        if len(self.pending) >= FLUSH:
            self._write(self.pending)
            self.pending = []

    def _write(self, lines: list[str]) -> None:
        data = "".join(lines).encode("utf-8")
        self.sha.update(data)
        self.fh.write(data)

    def close(self) -> str:
        self.rng.shuffle(self.buffer)
        self._write(self.pending + self.buffer)
        self.pending, self.buffer = [], []
        self.fh.close()
        return self.sha.hexdigest()


class Sink:
    """Where every record goes. ``emit`` returns the new record's id."""

    def __init__(self, out: Path, seed: int) -> None:
        self.out = out
        self.seed = seed
        self.streams: dict[tuple[str, str], _Stream] = {}
        self.counters = dict.fromkeys(NODES, 0)
        self.keys = {node: random.Random(f"{seed}:ids:{node}").getrandbits(40) for node in NODES}
        self.marks_rng = random.Random(f"{seed}:markings")
        self.shuffle_rng = random.Random(f"{seed}:shuffle")
        cat = load_catalogue()
        # Each option repeated by its weight: one draw picks a marking in proportion.
        self.marking_options = {
            kind: [c.json_for for c in choices for _ in range(c.weight)]
            for kind, choices in cat.markings.items()
        }
        self.records = 0
        for node in NODES:
            (out / node).mkdir(parents=True, exist_ok=True)

    def new_id(self, node: str, schema: str) -> str:
        self.counters[node] += 1
        return (
            f"{node}-{ABBREVIATIONS[schema]}-{scramble(self.counters[node], self.keys[node]):010x}"
        )

    def emit(
        self,
        node: str,
        kind: str,
        schema: str,
        props: dict[str, Any],
        marking: str,
        record_id: str | None = None,
    ) -> str:
        rid = record_id or self.new_id(node, schema)
        clean = {k: (v if isinstance(v, list) else [v]) for k, v in props.items() if v or v == 0}
        marks = pick(self.marks_rng, self.marking_options[marking])[node]
        line = (
            f'{{"id":"{rid}","schema":"{schema}","properties":'
            f"{_ENCODE(clean)},"
            f'"markings":{marks}}}\n'
        )
        stream = self.streams.get((node, kind))
        if stream is None:
            path = self.out / node / f"{kind}.jsonl"
            stream = _Stream(path, random.Random(f"{self.seed}:shuffle:{node}:{kind}"))
            self.streams[(node, kind)] = stream
        stream.add(line)
        self.records += 1
        return rid

    def close(self) -> dict[str, tuple[int, str]]:
        """Flush and close every file; return ``{relative path: (lines, sha256)}``."""
        result: dict[str, tuple[int, str]] = {}
        for (node, kind), stream in sorted(self.streams.items()):
            result[f"{node}/{kind}.jsonl"] = (stream.count, stream.close())
        return result
