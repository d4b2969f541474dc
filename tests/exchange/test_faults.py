"""Faults: forged, altered, unchained, replayed, reordered or unreleased entries, unknown
keys, far-off clocks and replayed requests are refused with a clear error, audited, and
nothing is applied."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from puente.crypto import load_private, public_b64
from puente.exchange import feed
from puente.exchange.apply import cursor
from puente.exchange.auth import sign_request
from puente.exchange.entry import GENESIS, make_entry
from puente.exchange.pull import sync
from puente.exchange.verify import FeedRejected
from puente.i18n import t
from puente.node import Node
from tests.exchange.helpers import (
    URL,
    check_pages_in,
    client,
    connect,
    held,
    marks,
    person,
    pull,
    put,
)

Tamper = Callable[[list[str]], list[str]]


def serve_lines(lines: list[str]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        after, limit = int(request.url.params["after"]), int(request.url.params["limit"])
        page = [ln for ln in lines if json.loads(ln.split(" ", 1)[1])["seq"] > after][:limit]
        return httpx.Response(200, text="\n".join(page), headers={"x-puente-head": "99"})

    return httpx.Client(transport=httpx.MockTransport(handler), base_url=URL)


def mx_lines(mx: Node, n: int = 3) -> list[str]:
    put(mx, [person(f"p{i}", f"P {i}") for i in range(n)], marks(mx, rel_to=["USA"]))
    feed.extend(mx, "USA")
    with mx.read() as conn:
        return feed.page(conn, "USA", 0, 100)[0]


def signed(
    key: Ed25519PrivateKey, seq: int, prev: str, rid: str = "p9", rel: str = "USA", **kw: object
) -> str:
    record = {
        "id": rid,
        "schema": "Person",
        "properties": {"name": ["Nine"]},
        "markings": {
            "classification": "restricted",
            "rel_to": [rel],
            "handling": "H0",
            "source_reliability": "B",
            "info_credibility": "2",
            "originator": "MEX",
            "originator_control": True,
        },
    }
    args: dict[str, object] = {
        "sender": "MEX",
        "partner": "USA",
        "seq": seq,
        "op": "upsert",
        "record_id": rid,
        "prev": prev,
        "at": "2025-09-01T00:00:00Z",
        "record": record,
    }
    args.update(kw)
    return make_entry(key, **args).line()  # type: ignore[arg-type]


def body_hash(line: str) -> str:
    import hashlib

    return hashlib.sha256(line.split(" ", 1)[1].encode()).hexdigest()


def alter(line: str) -> str:
    return line.replace("P 1", "P X")


def forge(line: str) -> str:
    sig, body = line.split(" ", 1)
    raw = bytearray(base64.b64decode(sig))
    raw[0] ^= 1
    return base64.b64encode(bytes(raw)).decode() + " " + body


CASES: dict[str, Callable[[Node, list[str]], list[str]]] = {
    "bad_signature": lambda mx, ls: [ls[0], forge(ls[1]), ls[2]],
    "altered": lambda mx, ls: [ls[0], alter(ls[1]), ls[2]],
    "replayed_entry": lambda mx, ls: [ls[0], ls[0], ls[1]],
    "out_of_order": lambda mx, ls: [ls[0], ls[2], ls[1]],
    "broken_chain": lambda mx, ls: [ls[0], ls[1], signed(_key(mx), 3, GENESIS)],
    "not_released": lambda mx, ls: [*ls, signed(_key(mx), 4, body_hash(ls[2]), rel="GTM")],
    "orcon_violation": lambda mx, ls: [
        *ls,
        signed(_key(mx), 4, body_hash(ls[2]), rid="q").replace(
            '"originator":"MEX"', '"originator":"GTM"'
        ),
    ],
    "wrong_party": lambda mx, ls: [*ls, signed(_key(mx), 4, body_hash(ls[2]), partner="GTM")],
}


def _key(node: Node) -> Ed25519PrivateKey:
    return load_private(node.settings.key_path)


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_feeds_are_refused_and_nothing_applied(
    make_node: Callable[..., Node], case: str
) -> None:
    mx, us = make_node("MX"), make_node("US")
    connect(mx, us)
    lines = CASES[case](mx, mx_lines(mx))
    if case == "orcon_violation":  # the edit above broke the signature: sign it properly
        bad = json.loads(lines[3].split(" ", 1)[1])
        bad["record"]["markings"]["originator"] = "GTM"
        lines[3] = signed(_key(mx), 4, body_hash(lines[2]), rid="q", record=bad["record"])
    with pytest.raises(FeedRejected) as err:
        sync(us, "MEX", client=serve_lines(lines), page_size=100)
    expected = {"altered": "bad_signature"}.get(case, case)
    assert err.value.key == f"exchange.{expected}"
    assert "MEX" in t(err.value.key, "en", **err.value.params)
    with us.read() as conn:
        assert cursor(conn, "MEX").seq == 0
        audit = [e for e in us.audit.entries(conn, limit=100) if e["action"] == "exchange_rejected"]
    assert held(us) == {}
    assert audit and audit[-1]["detail"]["reason"] == f"exchange.{expected}"


def test_good_pages_before_a_bad_one_stay_applied(make_node: Callable[..., Node]) -> None:
    mx, us = make_node("MX"), make_node("US")
    connect(mx, us)
    lines = mx_lines(mx)
    lines[2] = forge(lines[2])
    with pytest.raises(FeedRejected):
        sync(us, "MEX", client=serve_lines(lines), page_size=1)
    with us.read() as conn:
        assert cursor(conn, "MEX").seq == 2
    assert sorted(held(us)) == ["MEX:p0", "MEX:p1"]


@pytest.mark.parametrize("where", ["worker-processes", "threads"])
def test_first_fault_in_order_wins_over_a_later_bad_signature(
    make_node: Callable[..., Node], monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    # Pages are checked in parallel (in worker processes, or threads), yet the refusal
    # names the first bad entry in feed order, and only after the earlier pages were
    # applied; a refusal made in a worker process keeps its reason and entry.
    pool = check_pages_in(monkeypatch, where)
    mx, us = make_node("MX"), make_node("US")
    connect(mx, us)
    lines = mx_lines(mx, 6)
    lines[4] = signed(_key(mx), 5, GENESIS, rid="p4")  # seq 5: broken chain, well signed
    lines[5] = forge(lines[5])  # seq 6: forged, verified before seq 5 is checked
    with pytest.raises(FeedRejected) as err:
        sync(us, "MEX", client=serve_lines(lines), page_size=3)
    assert (err.value.key, err.value.params["seq"]) == ("exchange.broken_chain", 5)
    with us.read() as conn:
        assert cursor(conn, "MEX").seq == 3
    lines[4] = mx_lines(mx, 6)[4]
    with pytest.raises(FeedRejected) as err:
        sync(us, "MEX", client=serve_lines(lines), page_size=3)
    assert (err.value.key, err.value.params["seq"]) == ("exchange.bad_signature", 6)
    assert sorted(held(us)) == [f"MEX:p{i}" for i in range(3)]
    assert pool is None or pool.pages == 3  # 1–3 and 4–6, then 4–6 again: all in workers


def test_unknown_key_is_refused(make_node: Callable[..., Node]) -> None:
    mx, us = make_node("MX"), make_node("US")
    impostor = public_b64(Ed25519PrivateKey.generate().public_key())
    from puente.store.partners import add_partner

    with us.write() as conn:
        add_partner(conn, "MX", URL, impostor)  # US registered a key MX does not hold
    with mx.write() as conn:
        add_partner(conn, "US", URL, us.public_key)
    put(mx, [person("a", "Ana")], marks(mx, rel_to=["USA"]))
    # MX refuses US's requests? No: US signs with its own key, MX knows it. MX serves;
    # US finds the entries do not verify under the key it registered for MX.
    with pytest.raises(FeedRejected) as err:
        pull(us, mx)
    assert err.value.key == "exchange.bad_signature"
    # A node MX does not know at all is refused at the door.
    gt = make_node("GT")
    with gt.write() as conn:
        add_partner(conn, "MX", URL, mx.public_key)
    with pytest.raises(FeedRejected) as err:
        pull(gt, mx)
    assert err.value.key == "exchange.unknown_partner"
    assert held(us) == {} and held(gt) == {}


def _get(mx: Node, us: Node, **sign: object) -> httpx.Response:
    params = {"after": 0, "limit": 10}
    headers = sign_request(
        _key(us),
        method="GET",
        path="/exchange/feed",
        params=params,
        sender="USA",
        receiver="MEX",
        **sign,
    )  # type: ignore[arg-type]
    with client(mx) as http:
        return http.get("/exchange/feed", params=params, headers=headers)


def test_request_clock_and_replay_checks(make_node: Callable[..., Node]) -> None:
    mx, us = make_node("MX"), make_node("US")
    connect(mx, us)
    far = _get(mx, us, ts=int(time.time()) - 3600)
    assert far.status_code == 401 and far.json()["error"] == "exchange.clock_skew"
    ok = _get(mx, us, nonce="ab" * 16)
    assert ok.status_code == 200
    again = _get(mx, us, nonce="ab" * 16)
    assert again.status_code == 401 and again.json()["error"] == "exchange.replayed_request"
    unsigned = client(mx).get("/exchange/feed")
    assert unsigned.status_code == 401
    tampered = sign_request(
        _key(us),
        method="GET",
        path="/exchange/feed",
        params={"after": 0, "limit": 10},
        sender="USA",
        receiver="MEX",
    )
    with client(mx) as http:  # signed for after=0, sent with after=5
        bad = http.get("/exchange/feed", params={"after": 5, "limit": 10}, headers=tampered)
    assert bad.json()["error"] == "exchange.bad_request_sig"
    with mx.read() as conn:
        denied = [
            e["detail"]["reason"]
            for e in mx.audit.entries(conn, limit=100)
            if e["action"] == "exchange_auth_denied"
        ]
    assert denied == [
        "exchange.clock_skew",
        "exchange.replayed_request",
        "exchange.unsigned_request",
        "exchange.bad_request_sig",
    ]
    # And the client reports a refusal clearly.
    with pytest.raises(FeedRejected) as err:
        sync(us, "MEX", client=_skewed_client(mx))
    assert err.value.key == "exchange.clock_skew"


def _skewed_client(mx: Node) -> httpx.Client:
    inner = client(mx)

    def handler(request: httpx.Request) -> httpx.Response:
        headers = dict(request.headers)
        headers["x-puente-time"] = str(int(headers["x-puente-time"]) + 7200)
        resp = inner.get(request.url.path, params=request.url.params, headers=headers)
        return httpx.Response(resp.status_code, content=resp.content, headers=resp.headers)

    return httpx.Client(transport=httpx.MockTransport(handler), base_url=URL)


def test_an_id_held_with_another_origin_refuses_the_page(make_node: Callable[..., Node]) -> None:
    # US holds a record of its own under the id MX's copy would take: the page that
    # would overwrite it is refused, naming the entry, and nothing of it is applied.
    mx, us = make_node("MX"), make_node("US")
    connect(mx, us)
    put(mx, [person("p0", "Ana"), person("p1", "Beto")], marks(mx, rel_to=["USA"]))
    put(us, [person("MEX:p1", "Local")], marks(us))
    with pytest.raises(FeedRejected) as err:
        pull(us, mx)
    assert err.value.key == "exchange.id_taken"
    assert (err.value.params["seq"], err.value.params["id"]) == (2, "MEX:p1")
    assert err.value.params["origin"] == "USA"
    assert t(err.value.key, "es", **err.value.params).startswith("La entrada 2 de MEX")
    with us.read() as conn:
        assert cursor(conn, "MEX").seq == 0
    assert sorted(held(us)) == ["MEX:p1"] and held(us)["MEX:p1"]["origin"] == "USA"
