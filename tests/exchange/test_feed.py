"""The outbound feed: only what markings release, withheld fields left out, originator
control respected, retractions when a record stops being releasable, an intact chain."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from puente.crypto import load_public
from puente.exchange import feed
from puente.exchange.entry import (
    GENESIS,
    Signer,
    make_entry,
    released_bytes,
    released_stored,
    released_view,
)
from puente.model.canonical import canonical_bytes, canonical_fast, content_hash
from puente.model.markings import Markings
from puente.node import Node
from puente.store.records import prepare
from tests.exchange.helpers import connect, marks, person, put


def entries(node: Node, partner: str) -> list[dict[str, object]]:
    feed.extend(node, partner)
    with node.read() as conn:
        lines, _ = feed.page(conn, partner, 0, 10_000)
    out = []
    for line in lines:
        sig, body = line.split(" ", 1)
        load_public(node.public_key).verify(base64.b64decode(sig), body.encode())
        data = json.loads(body)
        data["_hash"] = hashlib.sha256(body.encode()).hexdigest()
        out.append(data)
    return out


def test_feed_holds_only_releasable_records(make_node: Callable[..., Node]) -> None:
    mx, us, gt = make_node("MX"), make_node("US"), make_node("GT")
    connect(mx, us, gt)
    put(mx, [person("a", "Ana Ruiz")], marks(mx, rel_to=["USA"]))
    put(mx, [person("b", "Beto Paz")], marks(mx, rel_to=["USA", "GTM"]))
    put(mx, [person("c", "Carla Sol")], marks(mx))
    assert [e["id"] for e in entries(mx, "USA")] == ["a", "b"]
    assert [e["id"] for e in entries(mx, "GTM")] == ["b"]


def test_withheld_properties_never_leave(node: Node, make_node: Callable[..., Node]) -> None:
    us = make_node("US")
    connect(node, us)
    props = {"birthDate": ["1980-02-03"], "idNumber": ["CURP123"]}
    put(
        node, [person("a", "Ana Ruiz", **props)], marks(node, rel_to=["USA"], withheld=["idNumber"])
    )
    (entry,) = entries(node, "USA")
    record = entry["record"]
    assert isinstance(record, dict)
    assert record["properties"] == {"name": ["Ana Ruiz"], "birthDate": ["1980-02-03"]}
    assert "CURP123" not in json.dumps(entry)
    # A change in a withheld field only changes nothing the partner holds: no entry.
    put(
        node,
        [person("a", "Ana Ruiz", birthDate=["1980-02-03"], idNumber=["CURP999"])],
        marks(node, rel_to=["USA"], withheld=["idNumber"]),
    )
    assert len(entries(node, "USA")) == 1


def test_unreleasing_emits_a_signed_retraction(node: Node, make_node: Callable[..., Node]) -> None:
    us = make_node("US")
    connect(node, us)
    put(node, [person("a", "Ana Ruiz"), person("b", "Beto Paz")], marks(node, rel_to=["USA"]))
    assert len(entries(node, "USA")) == 2
    put(node, [person("a", "Ana Ruiz")], marks(node, rel_to=[]))
    put(node, [person("b", "Beto Paz")], marks(node, rel_to=["USA"], classification="secret"))
    feed_entries = entries(node, "USA")
    assert [(e["seq"], e["op"], e["id"]) for e in feed_entries] == [
        (1, "upsert", "a"),
        (2, "upsert", "b"),
        (3, "retract", "a"),
        (4, "upsert", "b"),
    ]
    assert "record" not in feed_entries[2]
    # Chain: each entry names the hash of the one before it.
    prev = GENESIS
    for e in feed_entries:
        assert e["prev"] == prev and e["from"] == "MEX" and e["to"] == "USA"
        prev = str(e["_hash"])
    # Releasing again after a retraction sends it again.
    put(node, [person("a", "Ana Ruiz")], marks(node, rel_to=["USA"]))
    assert [e["op"] for e in entries(node, "USA")][-1] == "upsert"


def test_received_copies_follow_originator_control(make_node: Callable[..., Node]) -> None:
    us, gt = make_node("US"), make_node("GT")
    connect(us, gt)
    # Copies US holds from MEX (origin MEX): one under originator control, one waived.
    orcon = marks(us, rel_to=["USA", "GTM"], originator="MEX")
    waived = marks(us, rel_to=["USA", "GTM"], originator="MEX", originator_control=False)
    put(us, [person("MEX:x", "Equis")], orcon, origin="MEX")
    put(us, [person("MEX:y", "Ye")], waived, origin="MEX")
    put(us, [person("own", "Own")], marks(us, rel_to=["GTM"]))
    assert sorted(e["id"] for e in entries(us, "GTM")) == ["MEX:y", "own"]
    # Never back to where it came from.
    with us.write() as conn:
        from puente.store.partners import add_partner

        add_partner(conn, "MX", "http://mx.example", us.public_key)
    assert entries(us, "MEX") == []


def test_builder_resumes_from_its_cursor(node: Node, make_node: Callable[..., Node]) -> None:
    us = make_node("US")
    connect(node, us)
    put(node, [person(f"p{i}", f"P {i}") for i in range(5)], marks(node, rel_to=["USA"]))
    assert feed.extend(node, "USA") == 5
    assert feed.extend(node, "USA") == 0
    put(node, [person("p9", "P 9")], marks(node, rel_to=["USA"]))
    assert feed.extend(node, "USA") == 1
    assert [e["seq"] for e in entries(node, "USA")] == [1, 2, 3, 4, 5, 6]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text(), st.dictionaries(st.text(), json_values, max_size=6))
def test_entry_bodies_are_canonical_bytes(rid: str, at: str, record: dict[str, Any]) -> None:
    # Bodies go through orjson, and upserts are spliced around the record's bytes; both
    # must be exactly model.canonical's bytes.
    key = Ed25519PrivateKey.generate()
    args: dict[str, Any] = {
        "sender": "MEX", "partner": "USA", "seq": 3, "op": "upsert", "record_id": rid,
        "prev": GENESIS, "at": at,
    }  # fmt: skip
    whole = make_entry(key, record=record, **args)
    spliced = make_entry(Signer(key), record_bytes=released_bytes(record)[0], **args)
    expected = canonical_bytes(
        {"v": 1, "from": "MEX", "to": "USA", "seq": 3, "op": "upsert", "id": rid,
         "prev": GENESIS, "at": at, "record": record}
    )  # fmt: skip
    assert whole.body.encode() == spliced.body.encode() == expected
    assert released_bytes(record)[1] == content_hash(record)
    # Ed25519 is deterministic: libsodium's signature is OpenSSL's, byte for byte.
    assert base64.b64decode(spliced.signature) == key.sign(expected)


@settings(max_examples=300, deadline=None)
@given(
    st.text(min_size=1),
    st.sampled_from(["Person", "Organization", "Vessel"]),
    st.dictionaries(
        st.sampled_from(["name", "alias", "notes", "idNumber", "nationality", "birthDate"]),
        st.lists(st.text(), min_size=1, max_size=3),
        max_size=6,
    ),
    st.lists(st.sampled_from(["notes", "idNumber", "alias"]), max_size=2, unique=True),
)
def test_a_stored_record_is_released_as_its_view_would_be(
    rid: str, schema: str, props: dict[str, list[str]], withheld: list[str]
) -> None:
    # The feed splices the stored properties text in when nothing is withheld: the
    # bytes and hash must be those of encoding the released view.
    markings = Markings.parse(
        {
            "classification": "restricted", "rel_to": ["USA"], "handling": "H0",
            "source_reliability": "B", "info_credibility": "2", "withheld": withheld,
        },
        originator="MEX",
    )  # fmt: skip
    stored = prepare(rid, schema, props, markings).properties_json
    got = released_stored(rid, schema, stored, markings, canonical_fast(markings.to_dict()))
    view = released_view(rid, schema, json.loads(stored), markings)
    assert got == released_bytes(view)
    assert got[0] == canonical_bytes(view)
