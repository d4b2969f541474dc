"""Build the two-node demo: a Mexican and a US node under one directory, each a partner
of the other (with the other's public key), with demo users and the example data loaded.

Invariant: building is idempotent. Rerunning on the same directory reuses both nodes,
keeps their users and the credentials saved in ``credentials.json`` (mode 0600), points
each partner at the current port, and reloads the example files — which writes nothing
new, because an unchanged record has the same content hash. Everything is written
through the same functions a real node uses (``init_node``, ``add_partner``,
``add_user``, ``load_file``), so the demo exercises the product, not a shortcut.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

from sqlalchemy import func, select

from puente.coordinate.example import load_example_framework
from puente.coordinate.vocab import SCHEMATA
from puente.hitnohit import service as hitnohit_service
from puente.hitnohit.pairs import own_x25519
from puente.ingest.load import LoadReport, load_file
from puente.node import Node, init_node
from puente.settings import CONFIG_FILE
from puente.store import partners as partner_store
from puente.store import users as user_store
from puente.store.tables import records
from puente.store.users import SYSTEM

ACTOR = "demo"
CREDENTIALS = "credentials.json"
TOKEN_DAYS = 365


@dataclass(frozen=True)
class UserSpec:
    username: str
    roles: tuple[str, ...]
    clearance: str
    lang: str


@dataclass(frozen=True)
class NodeSpec:
    """One demo node: its folder, country, name, users and files (with mappings)."""

    folder: str
    country: str
    name: str
    users: tuple[UserSpec, ...]
    files: tuple[tuple[str, str | None], ...]


SPECS: tuple[NodeSpec, ...] = (
    NodeSpec(
        "mx",
        "MEX",
        "México — demo",
        (
            UserSpec("analista.mx", ("analyst",), "confidential", "es"),
            UserSpec("oficial.mx", ("releasing_officer",), "secret", "es"),
        ),
        (
            ("personas.jsonl", None),
            ("aseguramientos.jsonl", None),
            ("comunicaciones.jsonl", None),
            ("fronteras.jsonl", None),
        ),
    ),
    NodeSpec(
        "us",
        "USA",
        "United States — demo",
        (
            UserSpec("analyst.us", ("analyst",), "confidential", "en"),
            UserSpec("officer.us", ("releasing_officer",), "secret", "en"),
        ),
        (
            ("people.jsonl", None),
            ("acquisitions.csv", "acquisitions.mapping.yaml"),
            ("events.jsonl", None),
            ("maritime.json", None),
        ),
    ),
)


@dataclass(frozen=True)
class DemoUser:
    node: str
    username: str
    roles: tuple[str, ...]
    clearance: str
    lang: str
    password: str
    token: str


@dataclass
class DemoNode:
    spec: NodeSpec
    node: Node
    port: int
    partner: str
    created: bool
    reports: list[LoadReport] = field(default_factory=list)
    records: int = 0
    releasable: int = 0

    @property
    def country(self) -> str:
        return self.node.country


@dataclass
class Demo:
    directory: Path
    nodes: list[DemoNode]
    users: list[DemoUser]

    def close(self) -> None:
        for item in self.nodes:
            item.node.close()


def data_dir() -> Path:
    """The example files shipped with the package (a real folder: the package is
    installed unzipped, as setuptools does for editable and wheel installs)."""
    return Path(str(resources.files("puente.demo").joinpath("data")))


def build_demo(
    directory: str | Path,
    *,
    ports: Sequence[int] = (8701, 8702),
    host: str = "127.0.0.1",
    db_urls: Sequence[str | None] = (None, None),
    on_file: Callable[[str, str], None] | None = None,
) -> Demo:
    """Create (or reuse) the demo nodes in ``directory`` and load the example data."""
    base = Path(directory).expanduser().resolve()
    base.mkdir(parents=True, exist_ok=True)
    saved = _read_credentials(base)
    demo = Demo(base, [], [])
    try:
        for spec, port, url in zip(SPECS, ports, db_urls, strict=True):
            path = base / spec.folder
            created = not (path / CONFIG_FILE).exists()
            node = (
                init_node(path, spec.country, name=spec.name, db_url=url or "")
                if created
                else Node.open(path, db_url=url or None)
            )
            other = next(s.country for s in SPECS if s is not spec)
            demo.nodes.append(DemoNode(spec, node, port, other, created))
        for item in demo.nodes:
            peer = next(n for n in demo.nodes if n is not item)
            _ensure_partner(item.node, peer, f"http://{host}:{peer.port}")
            demo.users.extend(_ensure_users(item, saved))
        for item in demo.nodes:
            peer = next(n for n in demo.nodes if n is not item)
            _pair_hitnohit(item.node, peer.node)
        _write_credentials(base, demo.users)
        load_example_framework([item.node for item in demo.nodes])
        for item in demo.nodes:
            _load_examples(item, on_file)
    except BaseException:
        demo.close()
        raise
    return demo


def _ensure_partner(node: Node, peer: DemoNode, url: str) -> None:
    with node.write() as conn:
        known = {p.code: p for p in partner_store.list_partners(conn)}
        current = known.get(peer.country)
        if current is not None and (current.url, current.public_key) == (url, peer.node.public_key):
            return
        if current is not None:
            partner_store.remove_partner(conn, peer.country)
        partner = partner_store.add_partner(
            conn, peer.country, url, peer.node.public_key, name=peer.spec.name
        )
        node.audit.append(
            conn,
            ACTOR,
            "partner_add",
            partner.code,
            {"url": url, "fingerprint": partner.fingerprint},
        )


def _pair_hitnohit(node: Node, peer: Node) -> None:
    """Hit/no-hit keys: each node verifies the peer's signed X25519 key, as partners do
    with keys exchanged out of band (the demo holds both nodes, so no network call)."""
    theirs = own_x25519(peer)
    hitnohit_service.pair_setup(
        node, SYSTEM, peer.country, x25519=theirs["x25519"], x25519_sig=theirs["signature"]
    )


def _ensure_users(item: DemoNode, saved: dict[str, DemoUser]) -> list[DemoUser]:
    out: list[DemoUser] = []
    with item.node.write() as conn:
        existing = {u.username for u in user_store.list_users(conn)}
        for spec in item.spec.users:
            key = f"{item.country}/{spec.username}"
            if spec.username in existing:
                out.append(saved.get(key) or DemoUser(item.country, *_fields(spec), "?", "?"))
                continue
            password = secrets.token_urlsafe(12)
            user_store.add_user(
                conn, spec.username, password, list(spec.roles), spec.clearance, spec.lang
            )
            token = user_store.create_token(conn, spec.username, "demo", TOKEN_DAYS)
            item.node.audit.append(
                conn, ACTOR, "user_add", spec.username, {"roles": list(spec.roles)}
            )
            out.append(DemoUser(item.country, *_fields(spec), password, token))
    return out


def _fields(spec: UserSpec) -> tuple[str, tuple[str, ...], str, str]:
    return spec.username, spec.roles, spec.clearance, spec.lang


def _load_examples(item: DemoNode, on_file: Callable[[str, str], None] | None) -> None:
    folder = data_dir() / item.spec.folder
    for name, mapping in item.spec.files:
        if on_file is not None:
            on_file(item.country, name)
        item.reports.append(
            load_file(
                item.node,
                folder / name,
                mapping=folder / mapping if mapping else None,
                actor=ACTOR,
            )
        )
    data = records.c.schema.notin_(SCHEMATA)  # the example files, not the framework
    with item.node.read() as conn:
        item.records = int(
            conn.execute(select(func.count()).select_from(records).where(data)).scalar_one()
        )
        item.releasable = int(
            conn.execute(
                select(func.count())
                .select_from(records)
                .where(data, records.c.rel_to.like(f"%,{item.partner},%"))
            ).scalar_one()
        )


def _read_credentials(base: Path) -> dict[str, DemoUser]:
    path = base / CREDENTIALS
    if not path.is_file():
        return {}
    try:
        items = json.loads(path.read_text("utf-8"))["users"]
        users = [DemoUser(**{**u, "roles": tuple(u["roles"])}) for u in items]
    except (ValueError, KeyError, TypeError):
        return {}  # a damaged file only costs the old passwords' display
    return {f"{u.node}/{u.username}": u for u in users}


def _write_credentials(base: Path, users: list[DemoUser]) -> None:
    path = base / CREDENTIALS
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    body = {"users": [asdict(u) for u in users]}
    path.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", "utf-8")
