"""Clustering obeys decisions; ids survive growth, shrinkage and re-runs."""

from __future__ import annotations

from puente.resolve.clusters import assign_ids, cluster, fresh_id


def test_links_above_threshold_merge() -> None:
    comps = cluster("abcd", [("a", "b", 5.0), ("b", "c", 4.0), ("c", "d", -1.0)], 0.0)
    assert sorted(comps) == [["a", "b", "c"], ["d"]]


def test_not_same_cuts_the_weakest_link_of_a_chain() -> None:
    edges = [("a", "b", 9.0), ("b", "c", 2.0)]
    comps = cluster("abc", edges, 0.0, not_same=[("a", "c")])
    assert sorted(comps) == [["a", "b"], ["c"]]


def test_same_links_below_threshold_and_beats_the_model() -> None:
    comps = cluster("ab", [("a", "b", -20.0)], 0.0, same=[("a", "b")])
    assert comps == [["a", "b"]]


def test_same_never_overrides_not_same() -> None:
    comps = cluster("abc", [], 0.0, same=[("a", "b"), ("b", "c")], not_same=[("a", "c")])
    assert sorted(comps) == [["a", "b"], ["c"]]


def test_ids_are_stable() -> None:
    first = assign_ids([["a", "b"], ["c"]], {})
    assert first["a"] == first["b"] == fresh_id(["a", "b"]) != first["c"]
    grown = assign_ids([["a", "b", "z"], ["c"]], first)  # a record joins
    assert grown["z"] == first["a"] and grown["c"] == first["c"]
    merged = assign_ids([["a", "b", "c", "z"]], grown)  # the bigger one keeps its id
    assert set(merged.values()) == {first["a"]}
    split = assign_ids([["a", "b"], ["c", "z"]], merged)  # ties go to the smaller id
    assert split["a"] == first["a"] and split["c"] != first["a"]
    assert len(set(split.values())) == 2


def test_fresh_id_never_collides_with_an_id_in_use() -> None:
    taken = fresh_id(["x"])
    out = assign_ids([["x"], ["y"]], {"y": taken})
    assert out["y"] == taken and out["x"] != taken
