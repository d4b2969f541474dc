"""``/network`` routes on both backends: answers, file types, and each error's status."""

from __future__ import annotations

from tests.api.conftest import Api, api, cheap_argon2  # noqa: F401  (fixtures)
from tests.network.conftest import marked, write
from tests.network.test_service import CELLS


def test_routes_answer_for_an_analyst(api: Api) -> None:  # noqa: F811
    write(api.node, CELLS)
    h = api.auth("ana")
    kp = api.client.get("/network/key-players", params={"k": 1}, headers=h)
    top = [r["id"] for r in kp.json()["centrality"][:3]]
    assert kp.status_code == 200 and set(top) <= {"a0", "a2", "b0", "b2", "k"}  # on the ring
    comm = api.client.get("/network/communities", headers=h).json()
    assert comm["communities"] >= 2
    path = api.client.get("/network/path", params={"a": "b1", "b": "seize"}, headers=h).json()
    assert path["paths"][0]["hops"] == 2
    nb = api.client.get("/network/neighbours", params={"id": "k", "hops": 1, "kind": ["call"]},
                        headers=h).json()  # fmt: skip
    assert {n["id"] for n in nb["nodes"]} == {"k", "a2", "b0"}
    what = api.client.post("/network/whatif", json={"remove": ["k", "g1"]}, headers=h).json()
    assert what["after"]["components"] == 2
    moved = api.client.get("/network/change", params={"at": "2024-04-01", "days": 90}, headers=h)
    assert moved.status_code == 200
    gexf = api.client.get("/network/export", params={"format": "gexf"}, headers=h)
    assert gexf.headers["content-type"].startswith("application/gexf+xml")
    assert b"<gexf" in gexf.content and "attachment" in gexf.headers["content-disposition"]
    assert api.client.post("/network/refresh", headers=h).json()["records"] == 0


def test_clearance_and_errors_map_to_statuses(api: Api) -> None:  # noqa: F811
    write(api.node, [*CELLS, marked({"id": "top", "schema": "Person",
                                     "properties": {"name": ["TOP"]}}, "secret")])  # fmt: skip
    h = api.auth("ana")  # confidential
    assert (
        api.client.get("/network/path", params={"a": "s", "b": "k"}, headers=h).status_code == 404
    )
    assert api.client.get("/network/path", params={"a": "k\x01", "b": "a0"},
                          headers=h).status_code == 400  # fmt: skip
    assert api.client.get("/network/export", params={"format": "pdf"}, headers=h).status_code == 400
    assert api.client.get("/network/communities", params={"since": "yesterday"},
                          headers=h).status_code == 400  # fmt: skip
    assert api.client.get("/network/key-players", params={"k": 0}, headers=h).status_code == 422
    assert api.client.get("/network/key-players", params={"community": "Cnope"},
                          headers=h).status_code == 404  # fmt: skip
    assert api.client.get("/network/communities", headers=api.auth("sec")).status_code == 403
    assert api.client.get("/network/communities").status_code == 401
    low = api.client.get("/network/neighbours", params={"id": "k"}, headers=api.auth("pia"))
    assert low.status_code == 404  # public clearance: nothing of this restricted network
