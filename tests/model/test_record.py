from __future__ import annotations

from puente.model.ftm import DOMAIN_SCHEMATA, get_model
from puente.model.normalize import identifier_key, name_tokens, phone_key
from puente.model.record import event_date, search_terms, validate_entity


def test_domain_schemata_extend_ftm_with_edges() -> None:
    model = get_model()
    for name in DOMAIN_SCHEMATA:
        assert model.get(name) is not None
    acq = model["Acquisition"]
    assert acq.edge and acq.source_prop is not None and acq.source_prop.name == "purchaser"
    assert model["Firearm"].is_a("Thing")
    # reverse properties appear on FtM's own schemata
    assert "acquisitionsMade" in model["Person"].properties


def test_validate_reports_each_problem_with_its_field() -> None:
    *_, problems = validate_entity(
        {
            "id": "p1",
            "schema": "Person",
            "properties": {"nme": ["x"], "birthDate": ["1990-02-30"], "nationality": ["Narnia"]},
        }
    )
    reasons = {(p.field, p.reason) for p in problems}
    assert ("nme", "unknown_property") in reasons
    assert ("birthDate", "bad_date") in reasons
    assert ("nationality", "bad_country") in reasons
    assert ("name", "missing_required") in reasons


def test_validate_accepts_partial_dates_and_cleans_values() -> None:
    _, _, props, problems = validate_entity(
        {"id": "p", "schema": "Person", "properties": {"name": " Ana ", "birthDate": ["1980"]}}
    )
    assert problems == []
    assert props == {"name": ["Ana"], "birthDate": ["1980"]}


def test_unknown_and_abstract_schemata_are_refused() -> None:
    for schema in ("Dragon", "Thing", None):
        *_, problems = validate_entity({"id": "x", "schema": schema, "properties": {}})
        assert problems[0].reason == "unknown_schema"


def test_search_keys() -> None:
    assert name_tokens(["Joaquín Guzmán-Loera"]) == ["joaquin", "guzman", "loera"]
    assert identifier_key("ab-12 3") == "AB123"
    assert phone_key("+52 (55) 1234-5678") == phone_key("55 1234 5678")
    _, keys = search_terms("Firearm", {"make": ["Colt"], "serialNumber": ["LW-1234"]})
    assert keys == ["LW1234"]
    assert event_date("Acquisition", {"date": ["2021-05-01"]}) == "2021-05-01"
