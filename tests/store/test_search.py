from __future__ import annotations

import pytest

from puente.model.markings import Markings
from puente.node import Node
from puente.store.search import SearchQuery, search
from tests.store.helpers import put


@pytest.fixture
def loaded(node: Node) -> Node:
    put(
        node,
        {
            "id": "chapo",
            "schema": "Person",
            "properties": {
                "name": ["Joaquín Guzmán Loera"],
                "alias": ["El Chapo"],
                "birthDate": ["1957-04-04"],
                "passportNumber": ["G-1234567"],
                "phone": ["+52 667 123 4567"],
            },
        },
    )
    put(
        node,
        {
            "id": "gun",
            "schema": "Firearm",
            "properties": {"make": ["Colt"], "serialNumber": ["LW 004512"]},
        },
    )
    secret = Markings.parse(
        {
            "classification": "secret",
            "handling": "H2",
            "source_reliability": "A",
            "info_credibility": "1",
        },
        originator=node.country,
    )
    put(node, {"id": "s", "schema": "Person", "properties": {"name": ["Joaquín Secreto"]}}, secret)
    return node


def ids(node: Node, **kw: object) -> list[str]:
    with node.read() as conn:
        hits, _ = search(conn, SearchQuery(**kw))  # type: ignore[arg-type]
    return [h.id for h in hits]


@pytest.mark.parametrize(
    "q", ["guzman loera joaquin", "JOAQUÍN GUZMÁN", "loera", "el chapo", "guzm", "Guzmán-Loera"]
)
def test_names_are_found_regardless_of_accents_case_and_order(loaded: Node, q: str) -> None:
    assert "chapo" in ids(loaded, q=q)


@pytest.mark.parametrize(
    "q", ["g1234567", "G 123 4567", "667-123-4567", "(667) 1234567", "0052 6671234567"]
)
def test_identifiers_and_phones_in_any_common_format(loaded: Node, q: str) -> None:
    assert ids(loaded, q=q) == ["chapo"]


def test_serials(loaded: Node) -> None:
    assert ids(loaded, q="lw-004512") == ["gun"]


def test_filters(loaded: Node) -> None:
    assert ids(loaded, q="joaquin", schemata=["Firearm"]) == []
    assert ids(loaded, q="joaquin", date_from="1957-01-01", date_to="1957-12-31") == ["chapo"]
    assert ids(loaded, q="joaquin", date_from="1958") == []
    assert ids(loaded, schemata=["Firearm"]) == ["gun"]
    assert ids(loaded, q="joaquin", classification="secret") == ["s"]


def test_clearance_is_applied_in_the_query(loaded: Node) -> None:
    assert set(ids(loaded, q="joaquin")) == {"chapo", "s"}
    assert ids(loaded, q="joaquin", max_level=2) == ["chapo"]


def test_nothing_matches_nonsense(loaded: Node) -> None:
    assert ids(loaded, q="zzzz qqqq") == []
    assert ids(loaded, q='" OR 1=1 --') == []


def test_postgres_full_text_index_keeps_a_short_pending_list(loaded: Node) -> None:
    """New GIN entries wait in a pending list every search scans; it stays small and a
    bulk load merges it (``db.after_bulk_load``), so searches use the index proper."""
    if loaded.engine.dialect.name == "sqlite":
        pytest.skip("PostgreSQL's GIN index only")
    from puente.store import db

    with loaded.write() as conn:
        opts = conn.exec_driver_sql(
            "SELECT reloptions FROM pg_class WHERE relname = 'ix_search_names_tsv'"
        ).scalar_one()
        assert f"gin_pending_list_limit={db.GIN_PENDING_KB}" in opts
        db.after_bulk_load(conn)
        assert [h.id for h in search(conn, SearchQuery(q="guzman loera"))[0]] == ["chapo"]
