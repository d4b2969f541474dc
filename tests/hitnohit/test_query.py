"""Step 1 between two real nodes (both backends): hits and no-hits for every kind of
identifier and for persons, misread serials, nothing but references crossing, both
logs, quota refusal, key rotation, bad input refused without a 500."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlalchemy import select

from puente.errors import Forbidden, InvalidInput, NotFound
from puente.hitnohit.ask import Ask
from puente.hitnohit.index import SCHEME, refresh
from puente.hitnohit.service import query_log, rotate
from puente.hitnohit.wire import PartnerRefused
from puente.node import Node
from puente.store.tables import (
    audit_log,
    hitnohit_clks,
    hitnohit_hits,
    hitnohit_index,
    hitnohit_queries,
)
from puente.store.users import SYSTEM
from tests.hitnohit.helpers import ask, client, gun, marks, pair, person, person_ask, put


@pytest.fixture
def nodes(make_node: Callable[..., Node]) -> tuple[Node, Node]:
    mx, us = make_node("MX"), make_node("US")
    pair(mx, us, quota=50)
    put(
        us,
        [
            gun("g1", "TB55743"),
            gun("g2", "DWJ4808", "Glock"),
            person(
                "p1",
                "María Guadalupe",
                "Hernández López",
                "1985-04-12",
                gender=["female"],
                phone=["+1 (210) 555-0147"],
                passportNumber=["G12345678"],
            ),
            person("p2", "John", "Smith", "1970-01-01"),
            ("v1", "Vessel", {"name": ["Estrella"], "mmsi": ["345070123"]}),
        ],
        marks(us),
    )  # releasable to nobody: step 1 must work anyway
    return mx, us


def test_hits_and_no_hits_for_every_kind(nodes: tuple[Node, Node]) -> None:
    mx, us = nodes
    asks = [
        Ask("firearm", "TB-557 43", "S&W"),  # separators, make alias
        Ask("firearm", "T855743", "Smith and Wesson"),  # B read as 8
        Ask("firearm", "TB5743", "Smith & Wesson"),  # a dropped character
        Ask("firearm", "TB55743", "Glock"),  # right serial, wrong make
        Ask("firearm", "ZZ99999", "Smith & Wesson"),
        Ask("phone", "210 555 0147"),
        Ask("passport", "g1234-5678"),
        Ask("mmsi", "345 070 123"),
        Ask("mmsi", "345070124"),
        person_ask("Maria Guadalupe Hernandez Lopez", "1985-04-12", "female"),
        person_ask("Guadalupe Hernandes", "1985-04-12"),  # spelling variant, dropped parts
        person_ask("Pedro Páramo", "1950-05-05"),
    ]
    answer = ask(mx, us, asks)
    verdict = [bool(h) for h in answer.hits]
    assert verdict == [True, True, True, False, False, True, True, True, False, True, True, False]
    assert answer.contact == "RFI desk USA"
    # Only opaque references came back, and each maps to the right record on the owner.
    with us.read() as conn:
        owner = {
            r.ref: r.record_id
            for r in conn.execute(select(hitnohit_hits).where(hitnohit_hits.c.direction == "in"))
        }
    assert {owner[r] for r in answer.hits[0] + answer.hits[1] + answer.hits[2]} == {"g1"}
    assert owner[answer.hits[9][0]] == "p1" and owner[answer.hits[10][0]] == "p1"
    assert all(len(r) == 25 and r.startswith("H") for h in answer.hits for r in h)


def test_a_persons_passport_and_phone_travel_as_evidence(nodes: tuple[Node, Node]) -> None:
    """Undated, "Guadalupe Hernandes" alone is too weak a name for a hit; the passport or
    phone p1 holds makes it one (keyed tokens, never the values); a different passport
    does not."""
    mx, us = nodes
    answer = ask(
        mx,
        us,
        [
            person_ask("Guadalupe Hernandes"),
            person_ask("Guadalupe Hernandes", passport="g1234-5678"),
            person_ask("Guadalupe Hernandes", phone="210 555 0147"),
            person_ask("Guadalupe Hernandes", passport="X99999999"),
            person_ask("Pedro Páramo", passport="G12345678"),  # an id is not a name
        ],
    )
    assert [bool(h) for h in answer.hits] == [False, True, True, False, False]
    with mx.read() as conn:
        sent = conn.execute(select(hitnohit_queries)).all()
    assert sent and "G12345678" not in str(sent) and "5550147" not in str(sent)
    with pytest.raises(InvalidInput):
        ask(mx, us, [person_ask("Guadalupe Hernandes", phone="12")])


def test_both_sides_log_the_same_query_and_the_officer_sees_it(nodes: tuple[Node, Node]) -> None:
    mx, us = nodes
    answer = ask(mx, us, [Ask("phone", "2105550147"), Ask("phone", "5555555555")])
    out = query_log(mx, SYSTEM, "out")
    inc = query_log(us, SYSTEM, "in")
    assert out[0]["id"] == inc[0]["id"] == answer.query_id
    assert out[0]["digest"] == inc[0]["digest"]
    assert (out[0]["items"], out[0]["hits"], inc[0]["hits"]) == (2, 1, 1)
    assert inc[0]["refs"][0]["record_id"] == "p1" and "record_id" not in out[0]["refs"][0]
    with mx.read() as conn, us.read() as conn2:
        mine = [r.action for r in conn.execute(select(audit_log.c.action))]
        theirs = [r.action for r in conn2.execute(select(audit_log.c.action))]
    assert "hitnohit_query" in mine and "hitnohit_answered" in theirs
    # nothing of the clear value is stored on either side
    for node in (mx, us):
        with node.read() as conn:
            rows = conn.execute(select(hitnohit_queries)).all()
        assert "2105550147" not in json.dumps([list(r) for r in rows])


def test_quota_refuses_the_whole_batch_with_a_clear_error(nodes: tuple[Node, Node]) -> None:
    mx, us = nodes
    ask(mx, us, [Ask("phone", f"210555{i:04d}") for i in range(40)])
    with pytest.raises(PartnerRefused) as err:
        ask(mx, us, [Ask("phone", f"310555{i:04d}") for i in range(11)])
    assert err.value.key == "hitnohit.quota_exceeded"
    assert (err.value.params["used"], err.value.params["quota"]) == ("40", "50")
    assert isinstance(err.value, Forbidden)
    ask(mx, us, [Ask("phone", f"410555{i:04d}") for i in range(10)])  # exactly fills it
    with us.read() as conn:
        refused = conn.execute(
            select(audit_log).where(audit_log.c.action == "hitnohit_refused")
        ).all()
    assert len(refused) == 1 and "quota_exceeded" in refused[0].detail


def test_rotation_on_one_side_is_followed_by_the_other(nodes: tuple[Node, Node]) -> None:
    mx, us = nodes
    assert ask(mx, us, [Ask("mmsi", "345070123")]).hits[0]
    rotate(us, SYSTEM, "MX")  # the owner rotates: our stale epoch is refused, we adopt, retry
    assert ask(mx, us, [Ask("mmsi", "345070123")]).hits[0]
    rotate(mx, SYSTEM, "US")  # the requester rotates: the owner adopts and re-indexes
    assert ask(mx, us, [Ask("mmsi", "345070123")]).hits[0]
    with mx.read() as conn, us.read() as conn2:
        from puente.hitnohit.pairs import get_pair

        assert get_pair(conn, "USA").epoch == get_pair(conn2, "MEX").epoch == 3


def test_out_of_band_secret_mode(make_node: Callable[..., Node]) -> None:
    mx, us = make_node("MX"), make_node("US")
    pair(mx, us, mode="secret")
    put(us, [gun("g1", "ABC12345")], marks(us))
    assert ask(mx, us, [Ask("firearm", "ABC1234S", "Smith & Wesson")]).hits[0]


def test_the_index_follows_changes(nodes: tuple[Node, Node]) -> None:
    mx, us = nodes
    assert not ask(mx, us, [Ask("plate", "QNR-86-47")]).hits[0]
    put(
        us, [("car", "Vehicle", {"name": ["Jeep"], "registrationNumber": ["QNR-86-47"]})], marks(us)
    )
    assert ask(mx, us, [Ask("plate", "QNR8647")]).hits[0]
    put(
        us, [("car", "Vehicle", {"name": ["Jeep"], "registrationNumber": ["XYZ-11-22"]})], marks(us)
    )
    assert not ask(mx, us, [Ask("plate", "QNR8647")]).hits[0]
    put(us, [person("p1", "Ana", "Ruiz", "1990-02-02")], marks(us))  # p1 renamed
    assert not ask(mx, us, [person_ask("Maria Guadalupe Hernandez Lopez", "1985-04-12")]).hits[0]
    assert ask(mx, us, [person_ask("Ana Ruiz", "1990-02-02")]).hits[0]


def test_an_index_of_an_older_encoding_scheme_is_rebuilt(nodes: tuple[Node, Node]) -> None:
    mx, us = nodes
    assert ask(mx, us, [person_ask("Hernández López, María Guadalupe", "1985-12-04")]).hits[0]
    with us.write() as conn:  # as an index made before the birth-date tokens would be
        conn.execute(hitnohit_index.update().values(scheme=""))
        conn.execute(hitnohit_clks.update().values(clk="00" * 128, dob_year="", dob_date=""))
    assert refresh(us, "MEX") == 5  # every record re-encoded
    with us.read() as conn:
        assert conn.execute(select(hitnohit_index.c.scheme)).scalar_one() == SCHEME
    assert ask(mx, us, [person_ask("Hernández López, María Guadalupe", "1985-12-04")]).hits[0]


def test_received_copies_and_higher_levels_are_not_answered(nodes: tuple[Node, Node]) -> None:
    mx, us = nodes
    put(us, [gun("copy", "QQ12345")], marks(us), origin="GTM")
    put(us, [gun("secret", "RR12345")], marks(us, classification="secret"))
    from puente.hitnohit.service import pair_setup

    pair_setup(us, SYSTEM, "MX", max_level="confidential")
    answer = ask(mx, us, [Ask("firearm", "QQ12345", "S&W"), Ask("firearm", "RR12345", "S&W")])
    assert answer.hits == [[], []]


def test_bad_input_is_refused_not_crashed(nodes: tuple[Node, Node]) -> None:
    mx, us = nodes
    for bad in (
        Ask("phone", "12"),
        Ask("firearm", "X", "S&W"),
        Ask("firearm", "AB123", ""),
        Ask("ssn", "1"),
        person_ask("  ", "1980-01-01"),
    ):
        with pytest.raises(InvalidInput):
            ask(mx, us, [bad])
    with client(us) as http:
        assert http.post("/hitnohit/partner/query", json={"items": []}).status_code == 401
    with pytest.raises(NotFound):
        ask(
            mx,
            us,
            [Ask("phone", "2105550147")],
        ) if False else None
        from puente.hitnohit.service import ask as service_ask

        service_ask(mx, SYSTEM, "GT", [Ask("phone", "2105550147")])
