"""The statistics the scenario promises (docs/scenario.md), measured on a 10k world against
the parameters that produced it: names, cross-border presence, duplicates, networks,
serial errors, purchase → recovery chains, markings."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from normality import normalize

from puente.model.normalize import identifier_key
from puente.scenario.identifiers import curp_check_digit
from puente.scenario.names import pools
from puente.scenario.world import Params
from tests.scenario.conftest import SEED, SIZE, Scenario

PARAMS = Params(size=SIZE, seed=SEED)


def _norm(text: str) -> str:
    return normalize(text, lowercase=True, ascii=True) or ""


def _person_records(
    scenario: Scenario, node: str, cultures: set[str]
) -> list[tuple[dict[str, list[str]], dict[str, str]]]:
    out = []
    for row in scenario.truth("persons"):
        person = scenario.people[row["person_id"]]
        if row["node"] == node and person["culture"] in cultures:
            out.append((scenario.by_id[row["record_id"]]["properties"], person))
    return out


def _share(flags: list[bool]) -> float:
    assert flags
    return sum(flags) / len(flags)


def _close(flags: list[bool], expected: float) -> None:
    """The observed share is within four standard errors (plus 1%) of ``expected``."""
    share, n = _share(flags), len(flags)
    margin = 4 * math.sqrt(expected * (1 - expected) / n) + 0.01
    assert abs(share - expected) < margin, (share, expected, n)


def test_mexican_records_keep_two_surnames_and_us_records_often_drop_one(
    scenario: Scenario,
) -> None:
    habits = PARAMS.habits.names
    mx = _person_records(scenario, "mx", {"mx", "mxus"})
    keeps = [_norm(p["maternal"]) in _norm(r["lastName"][0]) for r, p in mx]
    assert _share(keeps) > 1 - habits.mx_missing_maternal - 0.03
    us = _person_records(scenario, "us", {"mx", "mxus"})
    kept = [_norm(p["maternal"]) in _norm(r["lastName"][0]) for r, p in us]
    # kept whole or hyphenated, unless a typo in the surnames hit the second one
    _close(kept, (1 - habits.us_drop_maternal) * (1 - habits.typo / 2))
    hyphen = ["-" in r["lastName"][0] for r, _ in us]
    _close(hyphen, habits.us_hyphenate)
    accented = [(r, p) for r, p in us if p["given"] + p["paternal"] + p["maternal"] != _ascii(p)]
    lost = [r["name"][0] == _ascii_text(r["name"][0]) for r, _ in accented]
    _close(lost, habits.us_strip_accents)


def _ascii_text(text: str) -> str:
    return text.translate(str.maketrans("áéíóúüñÁÉÍÓÚÜÑ", "aeiouunAEIOUUN"))


def _ascii(p: dict[str, str]) -> str:
    return _ascii_text(p["given"] + p["paternal"] + p["maternal"])


def test_names_have_compound_given_names_particles_and_aliases(scenario: Scenario) -> None:
    mexican = [p for p in scenario.people.values() if p["culture"] in ("mx", "mxus", "ca")]
    compound = [" " in p["given"] for p in mexican]
    given = pools().mx_given  # Faker's own list holds a few compound names too
    in_pool = {g: _share([" " in n for n in names]) for g, names in given.items()}
    from_pool = 0.62 * in_pool["male"] + 0.38 * in_pool["female"]
    share = PARAMS.habits.compound_given
    _close(compound, share + (1 - share) * from_pool)
    assert any(p["paternal"].lower().startswith(("de la ", "del ")) for p in mexican)
    leaders = {r["person_id"] for r in scenario.truth("networks") if r["role"] == "leader"}
    assert _share([bool(scenario.people[pid]["alias"]) for pid in leaders]) > 0.7
    assert all(
        scenario.people[pid]["alias"].startswith(("El ", "La "))
        for pid in leaders
        if scenario.people[pid]["alias"]
    )


def test_curps_are_well_formed(scenario: Scenario) -> None:
    curps = [p["curp"] for p in scenario.people.values() if p["curp"]]
    assert len(curps) > 1000
    for c in curps:
        assert len(c) == 18 and curp_check_digit(c[:17]) == c[17], c


def test_birth_dates_are_sometimes_year_only_or_swapped(scenario: Scenario) -> None:
    rows = [
        (r, p)
        for node in ("mx", "us")
        for r, p in _person_records(scenario, node, {"mx", "us", "mxus", "ca"})
    ]
    dated = [(r["birthDate"][0], p["birth_date"]) for r, p in rows if "birthDate" in r]
    year_only = [len(seen) == 4 for seen, _ in dated]
    _close(year_only, PARAMS.habits.dob_year_only)
    swapped = [len(seen) == 10 and seen != true and seen[5:7] == true[8:10] for seen, true in dated]
    assert 0.005 < _share(swapped) < PARAMS.habits.dob_swapped


def test_share_of_background_people_in_both_nodes_follows_the_parameters(
    scenario: Scenario,
) -> None:
    nodes: dict[str, set[str]] = defaultdict(set)
    for row in scenario.truth("persons"):
        nodes[row["person_id"]].add(row["node"])
    both = dict(PARAMS.both_nodes)
    by_culture: dict[str, list[bool]] = defaultdict(list)
    for pid, person in scenario.people.items():
        if person["origin"] == "background":
            by_culture[person["culture"]].append(len(nodes[pid]) == 2)
    total = [flag for flags in by_culture.values() for flag in flags]
    expected = sum(share * both[c] for c, share in PARAMS.culture_mix)
    _close(total, expected)
    _close(by_culture["mxus"], both["mxus"])


def test_duplicates_within_one_node(scenario: Scenario) -> None:
    per_node = Counter((row["person_id"], row["node"]) for row in scenario.truth("persons"))
    dup = [count > 1 for count in per_node.values()]
    _close(dup, PARAMS.duplicate)
    assert max(per_node.values()) == 2


def test_network_sizes_roles_and_overlaps(scenario: Scenario) -> None:
    members: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in scenario.truth("networks"):
        members[row["network_id"]].append(row)
    kinds = Counter(rows[0]["kind"] for rows in members.values())
    assert kinds == {"arms": 2, "drugs": 2, "smuggling": 2} == scenario.manifest.networks
    bounds = {"arms": (8, 23), "drugs": (12, 40), "smuggling": (10, 20)}
    for nid, rows in members.items():
        kind = rows[0]["kind"]
        roles = Counter(r["role"] for r in rows)
        assert roles["leader"] == 1, nid
        lo, hi = bounds[kind]
        assert lo <= len(rows) <= hi, (nid, len(rows))
        if kind == "arms":
            assert 4 <= roles["straw_purchaser"] <= 14 and roles["broker"] >= 1
    per_person = Counter(r["person_id"] for r in scenario.truth("networks"))
    assert any(n > 1 for n in per_person.values())  # brokers/financiers shared
    nodes: dict[str, set[str]] = defaultdict(set)
    for row in scenario.truth("persons"):
        nodes[row["person_id"]].add(row["node"])
    in_networks = set(per_person)
    assert any(nodes[pid] == {"us"} for pid in in_networks)  # e.g. straw purchasers
    assert any(nodes[pid] == {"mx"} for pid in in_networks)  # e.g. leaders
    assert any(nodes[pid] == {"mx", "us"} for pid in in_networks)  # brokers, couriers


def test_serial_errors_follow_the_parameters_and_match_the_records(scenario: Scenario) -> None:
    chains = [row for row in scenario.truth("chains") if row["recovery_record"]]
    assert len(chains) > 40
    _close([row["serial_error"] != "exact" for row in chains], sum(PARAMS.serial_errors))
    gun_records = defaultdict(list)
    for row in scenario.truth("firearms"):
        gun_records[(row["gun_id"], row["node"])].append(scenario.by_id[row["record_id"]])
    for row in chains:
        true, seen = row["true_serial"], row["recorded_serial"]
        kind = row["serial_error"]
        if kind == "exact":
            assert identifier_key(seen) == identifier_key(true)
        elif kind == "ocr":
            assert seen != true and abs(len(seen) - len(true)) <= 1
        elif kind == "partial":
            assert true.startswith(seen.rstrip("*")) and seen != true
        else:
            assert kind == "missing" and seen == ""
        (mx,) = gun_records[(row["gun_id"], "mx")]
        assert mx["properties"].get("serialNumber", [""])[0] == seen


def test_chains_run_from_a_us_purchase_to_a_later_mexican_recovery(scenario: Scenario) -> None:
    gun_of = {row["record_id"]: row["gun_id"] for row in scenario.truth("firearms")}
    chains = scenario.truth("chains")
    recovered = [row for row in chains if row["recovery_record"]]
    # recovered at the parameter's rate, less the seizures that would fall after the end
    assert PARAMS.recovered / 2 < len(recovered) / len(chains) <= PARAMS.recovered + 0.05
    for row in chains:
        purchase = scenario.by_id[row["purchase_record"]]
        assert purchase["schema"] == "Acquisition" and purchase["id"].startswith("us-")
        assert row["gun_id"] in {gun_of[g] for g in purchase["properties"]["firearm"]}
        if not row["recovery_record"]:
            continue
        recovery = scenario.by_id[row["recovery_record"]]
        assert recovery["schema"] == "Recovery" and recovery["id"].startswith("mx-")
        assert row["gun_id"] in {gun_of[g] for g in recovery["properties"]["items"]}
        assert int(row["time_to_crime_days"]) > 0 and row["recovery_date"] > row["purchase_date"]
    ring_purchases = {r["purchase_record"] for r in chains if r["network_id"].startswith("N-ARMS")}
    multiple = [len(scenario.by_id[p]["properties"]["firearm"]) > 1 for p in ring_purchases]
    assert 0.55 < _share(multiple) < 0.85  # several guns per visit, most of the time
    kinds = Counter(
        scenario.by_id[g]["properties"]["caliber"][0]
        for p in ring_purchases
        for g in scenario.by_id[p]["properties"]["firearm"]
    )
    assert kinds[".50 BMG"] > 0 and kinds["7.62x39mm"] > 0 and kinds["5.56x45mm"] > kinds["9x19mm"]


def test_much_is_not_releasable_by_default(scenario: Scenario) -> None:
    shared = Counter()
    total = Counter()
    for node in ("mx", "us"):
        for r in scenario.records(node):
            total[r["schema"]] += 1
            shared[r["schema"]] += bool(r["markings"]["rel_to"])
    assert sum(shared.values()) / sum(total.values()) < 0.5
    assert shared["Acquisition"] / total["Acquisition"] < 0.25
    assert shared["Recovery"] / total["Recovery"] > 0.4
