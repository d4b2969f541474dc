"""User administration over HTTP: admin only, validated, audited."""

from __future__ import annotations

from tests.api.conftest import PASSWORD, USERS, Api


def test_admin_lists_and_adds_users_and_the_new_user_can_log_in(api: Api) -> None:
    r = api.client.get("/users", headers=api.auth("admin"))
    assert r.status_code == 200
    assert [u["username"] for u in r.json()] == sorted(USERS)
    new = {
        "username": "Carla",
        "password": "a long enough password",
        "roles": ["analyst", "releasing_officer"],
        "clearance": "confidential",
        "lang": "es",
    }
    r = api.client.post("/users", json=new, headers=api.auth("admin"))
    assert r.status_code == 201
    assert r.json() == {
        "username": "carla",
        "roles": ["analyst", "releasing_officer"],
        "clearance": "confidential",
        "lang": "es",
    }
    r = api.client.post(
        "/auth/login", json={"username": "carla", "password": "a long enough password"}
    )
    assert r.status_code == 200
    audit = api.client.get("/audit", params={"action": "user_add"}, headers=api.auth("admin"))
    [entry] = audit.json()["entries"]
    assert (entry["actor"], entry["target"]) == ("admin", "carla")
    assert "password" not in str(entry)


def test_only_admin_manages_users(api: Api) -> None:
    for who in ("ana", "sec", "rel"):
        assert api.client.get("/users", headers=api.auth(who)).status_code == 403
        r = api.client.post(
            "/users",
            json={
                "username": "x1",
                "password": PASSWORD,
                "roles": ["admin"],
                "clearance": "secret",
            },
            headers=api.auth(who),
        )
        assert r.status_code == 403
        assert r.json()["error"] == "error.role"


def test_bad_users_are_refused_with_the_field_named(api: Api) -> None:
    base = {"username": "dora", "password": PASSWORD, "roles": ["analyst"], "clearance": "public"}
    cases = [
        ({"roles": ["spy"]}, 422, "roles.0"),
        ({"roles": []}, 422, "roles"),
        ({"password": "short"}, 422, "password"),
        ({"clearance": "cosmic"}, 400, "clearance"),
        ({"username": "bad name!"}, 400, "bad name!"),
        ({"lang": "fr"}, 422, "lang"),
        ({"admin": True}, 422, "admin"),
    ]
    for change, status, named in cases:
        r = api.client.post("/users", json={**base, **change}, headers=api.auth("admin"))
        assert r.status_code == status, (change, r.json())
        assert named in r.json()["message"], (change, r.json())
    r = api.client.post("/users", json={**base, "username": "ana"}, headers=api.auth("admin"))
    assert r.status_code == 409
    assert r.json()["message"] == "User ana already exists"
