"""The one error map, and no 500 for anything a client can send.

yente once mapped two exception subclasses to 500 because its handler looked types up
exactly; here every class in ``STATUS`` is raised through a real app and must come
back with its own status, and every ``PuenteError`` subclass the API can meet must be
a 4xx/5xx the client can act on (500 only for ``ConfigError`` and the base class).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from puente.api import create_app  # noqa: F401  (loads every router and its errors)
from puente.api.errors import STATUS, install, status_for
from puente.errors import ConfigError, InvalidFile, Problem, PuenteError
from tests.api.conftest import Api, person


def _make(cls: type[PuenteError]) -> PuenteError:
    if issubclass(cls, InvalidFile):
        return cls([Problem("bad_date", file="f.csv", line=3, field="d", value="2001-02-30")])
    return cls()


def _subclasses(cls: type[PuenteError]) -> set[type[PuenteError]]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


@pytest.fixture(scope="module")
def raising_app() -> TestClient:
    app = FastAPI()
    install(app)
    classes = {cls.__name__: cls for cls in _subclasses(PuenteError) | {PuenteError}}

    @app.get("/raise/{name}")
    def _raise(name: str) -> None:
        raise _make(classes[name])

    @app.get("/bug")
    def _bug() -> None:
        raise RuntimeError("a bug of ours")

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(("cls", "status"), STATUS, ids=[c.__name__ for c, _ in STATUS])
def test_each_error_class_really_maps_to_its_status(
    raising_app: TestClient, cls: type[PuenteError], status: int
) -> None:
    r = raising_app.get(f"/raise/{cls.__name__}", headers={"Accept-Language": "en"})
    assert r.status_code == status
    body = r.json()
    assert body["error"] == cls.key
    assert body["message"] and body["message"] != cls.key  # a catalogued message
    if issubclass(cls, InvalidFile):
        [problem] = body["problems"]
        assert problem["message"] == "impossible or malformed date 2001-02-30"


def test_no_entry_is_shadowed_by_an_earlier_superclass() -> None:
    for i, (cls, status) in enumerate(STATUS):
        earlier = [c for c, _ in STATUS[:i] if issubclass(cls, c)]
        assert not earlier, f"{cls.__name__} is shadowed by {earlier}"
        assert status_for(_make(cls)) == status


def test_every_error_the_api_can_meet_is_a_status_the_client_can_act_on() -> None:
    server_side = {PuenteError, ConfigError}
    for cls in _subclasses(PuenteError):
        status = status_for(_make(cls))
        assert status < 500 or status == 502 or cls in server_side, (
            f"{cls.__module__}.{cls.__name__} would answer {status}: add it to STATUS"
        )


def test_our_own_bugs_are_500_with_the_same_body(raising_app: TestClient) -> None:
    r = raising_app.get("/bug", headers={"Accept-Language": "en"})
    assert r.status_code == 500
    assert r.json() == {"error": "error.internal", "message": "Internal error", "params": {}}


def test_unknown_routes_and_methods_use_the_error_body(api: Api) -> None:
    r = api.client.get("/nowhere", headers={"Accept-Language": "en"})
    assert r.status_code == 404 and r.json()["error"] == "api.no_route"
    r = api.client.delete("/records/x", headers=api.auth("ana"))
    assert r.status_code == 405 and r.json()["error"] == "api.method_not_allowed"


# --- fuzz: nothing a client sends produces a 500 -------------------------------------

_nasty = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            '"',
            "*",
            "NEAR(a b)",
            "a OR b",
            "-x",
            "x:*",
            "a & !b",
            "()",
            "\x00",
            "\\",
            "'",
            "%",
            "_",
            "ñandú",
            "𝔘𝔫𝔦",
            "9" * 30,
            "+52 55 1234 5678",
            "",
            " ",
            "MEX",
            "us",
        ]
    ),
)
_dates = st.one_of(_nasty, st.dates().map(date.isoformat))
_ints = st.one_of(st.integers(), st.text(max_size=8))
_search_params = st.fixed_dictionaries(
    {},
    optional={
        "q": _nasty,
        "schema": st.one_of(_nasty, st.sampled_from(["Person", "Vessel", "Firearm", "Thing"])),
        "date_from": _dates,
        "date_to": _dates,
        "classification": st.one_of(_nasty, st.sampled_from(["public", "secret", "SECRET"])),
        "rel_to": _nasty,
        "origin": _nasty,
        "limit": _ints,
        "offset": _ints,
    },
)
_FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _seed(api: Api) -> None:
    for i, name in enumerate(["Joaquín Guzmán Loera", "Ismael Zambada", "Ana Pérez"]):
        api.client.post("/records", json=person(f"mx-f{i}", name), headers=api.auth("ana"))


def test_fuzzed_search_parameters_never_produce_a_500(api: Api) -> None:
    _seed(api)

    @_FUZZ
    @given(params=_search_params)
    def check(params: dict[str, Any]) -> None:
        r = api.client.get("/search", params=params, headers=api.auth("beto"))
        assert r.status_code in (200, 400, 422), (params, r.text)
        if r.status_code != 200:
            assert r.json()["message"]

    check()


_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), _nasty),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(_nasty, inner, max_size=3)
    ),
    max_leaves=8,
)
_bodies = st.one_of(
    _json,
    st.fixed_dictionaries(
        {"schema": st.one_of(_nasty, st.sampled_from(["Person", "Vessel", "Firearm"]))},
        optional={
            "id": _nasty,
            "properties": st.dictionaries(
                st.one_of(_nasty, st.sampled_from(["name", "birthDate", "imoNumber"])),
                _json,
                max_size=3,
            ),
            "markings": st.one_of(
                _json,
                st.fixed_dictionaries(
                    {},
                    optional={
                        k: _json
                        for k in ("classification", "handling", "rel_to", "info_credibility")
                    },
                ),
            ),
            "expected_version": _json,
        },
    ),
)


def test_fuzzed_record_requests_never_produce_a_500(api: Api) -> None:
    _seed(api)

    @settings(_FUZZ, max_examples=60)
    @given(body=_bodies, rid=_nasty, when=_dates)
    def check(body: Any, rid: str, when: str) -> None:
        for method, url in (("post", "/records"), ("put", "/records/mx-f1")):
            r = api.client.request(
                method,
                url,
                content=json.dumps(body),  # Python's json sends NaN/Infinity: so may clients
                headers={**api.auth("ana"), "Content-Type": "application/json"},
            )
            assert r.status_code < 500, (method, body, r.text)
        r = api.client.get("/records/" + quote(rid, safe=""), headers=api.auth("beto"))
        assert r.status_code in (200, 400, 403, 404, 405), (rid, r.text)
        r = api.client.get("/records", params={"held_at": when}, headers=api.auth("beto"))
        assert r.status_code in (200, 400, 422), (when, r.text)

    check()
