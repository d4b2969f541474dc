"""Login, tokens and who-am-I; every login attempt is audited."""

from __future__ import annotations

from puente.store.users import ROLES
from tests.api.conftest import PASSWORD, Api


def _audit(api: Api, action: str) -> list[dict]:  # type: ignore[type-arg]
    r = api.client.get("/audit", params={"action": action}, headers=api.auth("admin"))
    assert r.status_code == 200
    return r.json()["entries"]  # type: ignore[no-any-return]


def test_login_gives_a_working_token_and_is_audited(api: Api) -> None:
    r = api.client.post("/auth/login", json={"username": "Ana", "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["username"] == "ana"
    assert body["expires_at"] > "2000"
    me = api.client.get("/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json() == {
        "username": "ana",
        "roles": ["analyst"],
        "clearance": "confidential",
        "lang": "en",
    }
    logins = _audit(api, "login")
    assert [e["actor"] for e in logins] == ["ana"]


def test_wrong_password_is_401_audited_and_in_the_callers_language(api: Api) -> None:
    r = api.client.post(
        "/auth/login",
        json={"username": "ana", "password": "wrong password"},
        headers={"Accept-Language": "es-MX"},
    )
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json()["error"] == "error.bad_login"
    assert r.json()["message"] == "Usuario o contraseña incorrectos"
    r = api.client.post(
        "/auth/login",
        json={"username": "nobody\x00", "password": "x"},
        headers={"Accept-Language": "en"},
    )
    assert r.status_code == 401
    assert r.json()["message"] == "Wrong username or password"
    failed = _audit(api, "login_failed")
    assert [e["target"] for e in failed] == ["ana", "nobody?"]
    assert all(e["actor"] == "anonymous" for e in failed)


def test_requests_without_or_with_a_bad_token_are_401(api: Api) -> None:
    assert api.client.get("/auth/me").status_code == 401
    r = api.client.get("/auth/me", headers={"Authorization": "Bearer pt_forged"})
    assert r.status_code == 401
    assert r.json()["error"] == "error.bad_token"
    r = api.client.get("/search", headers={"Authorization": "Basic YWRtaW46eA=="})
    assert r.status_code == 401


def test_a_user_creates_their_own_token_and_only_admin_creates_for_others(api: Api) -> None:
    r = api.client.post("/tokens", json={"name": "laptop", "days": 30}, headers=api.auth("ana"))
    assert r.status_code == 201
    token = r.json()["access_token"]
    me = api.client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["username"] == "ana"

    r = api.client.post("/tokens", json={"username": "beto"}, headers=api.auth("ana"))
    assert r.status_code == 403
    assert r.json()["params"] == {"role": "admin"}

    r = api.client.post("/tokens", json={"username": "beto"}, headers=api.auth("admin"))
    assert r.status_code == 201
    beto = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert api.client.get("/auth/me", headers=beto).json()["username"] == "beto"

    r = api.client.post("/tokens", json={"username": "ghost"}, headers=api.auth("admin"))
    assert r.status_code == 404
    r = api.client.post("/tokens", json={"days": 0}, headers=api.auth("ana"))
    assert r.status_code == 422
    assert "days" in r.json()["message"]
    issued = _audit(api, "token_create")
    assert [(e["actor"], e["target"]) for e in issued] == [
        ("ana", "ana"),
        ("admin", "beto"),
    ]


def test_roles_are_the_four_of_the_brief() -> None:
    assert set(ROLES) == {"analyst", "releasing_officer", "secretariat", "admin"}
