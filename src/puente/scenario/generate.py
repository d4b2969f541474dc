"""``generate(out, size, seed)``: write a two-country world with its ground truth.

Order of work: dealers, then the planted networks (drug networks first so arms brokers and
smuggling financiers can be shared with them), then background lives until the two nodes
hold at least ``size`` records; then every file is closed and the manifest written with
the sha256 of each file.

Invariants: the output is a pure function of ``(size, seed, params)`` — the same call
gives byte-identical files; nothing but the output directory is written; an output
directory that already holds files is refused unless ``overwrite`` is set, and then only
our three sub-directories are replaced.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from puente.errors import Conflict, InvalidInput
from puente.scenario import arms, drugs, smuggling
from puente.scenario.background import Background
from puente.scenario.draw import pick
from puente.scenario.networks import during, enlist, talk
from puente.scenario.truth import FORMAT, TRUTH_FILES, Manifest, file_sha256
from puente.scenario.world import Params, World

MIN_SIZE = 1_000
MAX_SIZE = 200_000_000
SUBDIRS = ("mx", "us", "truth")


def plant(w: World) -> dict[str, int]:
    """Build every network; return how many of each kind."""
    p = w.p
    drug_nets = [drugs.build(w, i + 1) for i in range(p.network_count("drugs"))]
    arms_nets = [arms.build(w, i + 1) for i in range(p.network_count("arms"))]
    for ring in arms_nets:  # some brokers also buy for a drug network
        if w.rng.random() < p.shared_brokers:
            target = pick(w.rng, drug_nets)
            broker = enlist(w, target, ring.role("broker")[0], "broker")
            talk(w, broker, target.role("leader")[0], during(w, target), times=3)
    financiers = [n.role("financier")[0] for n in drug_nets]
    smuggling_nets = [
        smuggling.build(w, i + 1, pick(w.rng, financiers) if w.rng.random() < 0.5 else None)
        for i in range(p.network_count("smuggling"))
    ]
    return {"arms": len(arms_nets), "drugs": len(drug_nets), "smuggling": len(smuggling_nets)}


def _prepare(out: Path, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise InvalidInput("scenario.out_not_dir", path=str(out))
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise Conflict("scenario.out_not_empty", path=str(out))
        for sub in SUBDIRS:
            shutil.rmtree(out / sub, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)


def generate(
    out: Path,
    size: int,
    seed: int,
    *,
    params: Params | None = None,
    overwrite: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> Manifest:
    """Write ``OUT/mx``, ``OUT/us`` and ``OUT/truth``; return the manifest."""
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise InvalidInput("scenario.bad_size", value=size, min=MIN_SIZE, max=MAX_SIZE)
    if seed < 0:
        raise InvalidInput("scenario.bad_seed", value=seed)
    params = params or Params(size=size, seed=seed)
    if (params.size, params.seed) != (size, seed):
        raise InvalidInput("scenario.params_mismatch")
    out = Path(out)
    _prepare(out, overwrite)
    w = World(out, params)
    networks = plant(w)
    life = Background(w).life
    sink = w.sink
    next_report = 0
    while sink.records < size:
        life()
        if on_progress is not None and sink.records >= next_report:
            on_progress(sink.records, size)
            next_report = sink.records + 20_000
    written = sink.close()
    w.truth.close()
    files = {path: sha for path, (_, sha) in written.items()}
    for name in TRUTH_FILES:
        files[f"truth/{name}.csv"] = file_sha256(out / "truth" / f"{name}.csv")
    manifest = Manifest(
        format=FORMAT,
        size=size,
        seed=seed,
        parameters=params.to_dict(),
        records=sink.records,
        counts={path: lines for path, (lines, _) in written.items()},
        truth=dict(w.truth.counts),
        networks=networks,
        files=dict(sorted(files.items())),
        versions=_versions(w),
    )
    manifest.write(out)
    if on_progress is not None:
        on_progress(sink.records, size)
    return manifest


def _versions(w: World) -> dict[str, str]:
    from importlib.metadata import version

    return {"faker": version("faker"), "catalogue_sha256": w.cat.sha256}
