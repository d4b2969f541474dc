"""The audit log over HTTP: admin only, paged in chain order, verifiable."""

from __future__ import annotations

from sqlalchemy import text

from tests.api.conftest import Api, person


def test_audit_pages_in_order_and_verify_finds_tampering(api: Api) -> None:
    for i in range(5):
        api.client.post("/records", json=person(f"mx-a{i}", f"Nombre {i}"), headers=api.auth("ana"))
    seen: list[int] = []
    after = 0
    while True:
        page = api.client.get(
            "/audit", params={"after": after, "limit": 2}, headers=api.auth("admin")
        ).json()
        seen += [e["seq"] for e in page["entries"]]
        if page["next_after"] is None:
            break
        after = page["next_after"]
    assert seen == list(range(1, 6))
    writes = api.client.get("/audit", params={"action": "write"}, headers=api.auth("admin"))
    assert [e["target"] for e in writes.json()["entries"]] == [f"mx-a{i}" for i in range(5)]

    ok = api.client.get("/audit/verify", headers=api.auth("admin")).json()
    assert ok == {"ok": True, "count": 5, "issues": []}
    with api.node.write() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'nobody' WHERE seq = 3"))
    broken = api.client.get("/audit/verify", headers=api.auth("admin")).json()
    assert broken["ok"] is False
    assert broken["issues"][0] == {"position": 3, "seq": 3, "problem": "altered"}


def test_only_admin_reads_the_audit_log(api: Api) -> None:
    for who in ("ana", "rel", "sec"):
        for url in ("/audit", "/audit/verify"):
            r = api.client.get(url, headers=api.auth(who))
            assert r.status_code == 403, (who, url)
    r = api.client.get("/audit", params={"action": "DROP TABLE"}, headers=api.auth("admin"))
    assert r.status_code == 422 and "action" in r.json()["message"]
    r = api.client.get("/audit", params={"limit": 0}, headers=api.auth("admin"))
    assert r.status_code == 422 and "limit" in r.json()["message"]
