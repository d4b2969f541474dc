"""Communities, centrality, KPP sets, paths, what-if and time windows on graphs whose
answers are known (two cells joined through one broker)."""

from __future__ import annotations

import pytest

from puente.network import analytics, change, kpp, paths, stable
from puente.network.graph import Entity, NetworkGraph, from_rows


def _graph(edges: list[tuple[str, str]], dates: dict[tuple[str, str], str] | None = None,
           things: tuple[str, ...] = ()) -> NetworkGraph:  # fmt: skip
    names = sorted({x for e in edges for x in e})
    ents = [Entity(n, "Firearm" if n in things else "Person", n.upper(), ("MEX",), 1, (n,))
            for n in names]  # fmt: skip
    dates = dates or {}
    rows = [(a, b, "call", True, 1.0, dates.get((a, b)), f"r-{a}-{b}", 1) for a, b in edges]
    return from_rows(ents, rows)


def _cells() -> NetworkGraph:
    """Two 5-cliques (a*, c*) joined a4 — broker — c0."""
    edges = []
    for cell in ("a", "c"):
        members = [f"{cell}{i}" for i in range(5)]
        edges += [(x, y) for i, x in enumerate(members) for y in members[i + 1 :]]
    return _graph([*edges, ("a4", "broker"), ("broker", "c0")])


def test_components_and_communities_find_the_cells() -> None:
    g = _cells()
    assert analytics.components(g) == [sorted(g.ids)]
    labels = analytics.leiden(g)
    groups = {lab: {g.ids[i] for i, x in enumerate(labels) if x == lab} for lab in set(labels)}
    cells = sorted((sorted(m) for m in groups.values()), key=len)
    assert {frozenset(f"a{i}" for i in range(5)) <= set(c) or
            frozenset(f"c{i}" for i in range(5)) <= set(c) for c in cells} == {True}  # fmt: skip
    assert len(cells) == 2
    assert analytics.leiden(g) == labels  # seeded: the same graph, the same partition


def test_broker_is_the_key_player() -> None:
    g = _cells()
    ranked, exact = analytics.centrality(g)
    assert exact and ranked[0].id == "broker"
    assert ranked[0].betweenness == pytest.approx(0.5, abs=0.1)
    btw = [0.0] * g.n
    for r in ranked:
        btw[g.index[r.id]] = r.betweenness
    neg = kpp.kpp_neg(g.simple, 1, btw)
    assert [g.ids[v] for v in neg.members] in (["broker"], ["a4"], ["c0"])
    assert neg.score > neg.baseline == 0.0
    pos = kpp.kpp_pos(g.simple, 2)
    assert pos.score == 1.0  # two members of a clique each reach the whole network


def test_things_are_passed_through_but_are_not_endpoints() -> None:
    # p bought ten guns: with the guns as endpoints he would be the top "broker"
    g = _graph([("p", f"g{i}") for i in range(10)] + [("x", "b"), ("b", "y"), ("p", "x")],
               things=tuple(f"g{i}" for i in range(10)))  # fmt: skip
    ranked, _ = analytics.centrality(g)
    top = {r.id: r.betweenness for r in ranked}
    assert top["x"] > top["p"] == 0.0 and top["g0"] == 0.0


def test_sampled_betweenness_estimates_the_exact_value(monkeypatch: pytest.MonkeyPatch) -> None:
    g = _cells()
    exact, _ = analytics.betweenness(g)
    monkeypatch.setattr(analytics, "EXACT_LIMIT", 3)
    full, is_exact = analytics.betweenness(g, samples=g.n - 1, seed=3)
    assert not is_exact
    assert max(full) == pytest.approx(max(exact), rel=0.5)
    assert full.index(max(full)) == exact.index(max(exact)) == g.index["broker"]


def test_shortest_and_k_shortest_paths() -> None:
    g = _graph([("a", "b"), ("b", "d"), ("a", "c"), ("c", "d"), ("d", "e"), ("x", "y")])
    s = g.simple
    ix = g.index
    p = paths.shortest(s, [ix["a"]], [ix["e"]])
    assert len(p) == 4 and g.ids[p[0]] == "a" and g.ids[p[-1]] == "e"
    both = paths.k_shortest(s, [ix["a"]], [ix["e"]], 3)
    assert sorted(tuple(g.ids[v] for v in q) for q in both) == [("a", "b", "d", "e"),
                                                                 ("a", "c", "d", "e")]  # fmt: skip
    assert paths.shortest(s, [ix["a"]], [ix["x"]]) == []
    # several ends: the nearest wins
    assert [g.ids[v] for v in paths.shortest(s, [ix["a"]], [ix["e"], ix["b"]])] == ["a", "b"]


def test_neighbourhood_respects_hops_kinds_and_dates() -> None:
    dates = {("a", "b"): "2022-01-05", ("b", "c"): "2024-03-01", ("c", "d"): "2024-04-01"}
    g = _graph([("a", "b"), ("b", "c"), ("c", "d")], dates)
    assert sorted(paths.neighbourhood(g, ["a"], 2).ids) == ["a", "b", "c"]
    assert sorted(paths.neighbourhood(g, ["b"], 5, since="2024").ids) == ["b", "c", "d"]
    assert sorted(paths.neighbourhood(g, ["a"], 5, until="2023-12-31").ids) == ["a", "b"]
    assert paths.neighbourhood(g, ["a"], 3, kinds=["payment"]).ids == ["a"]


def test_whatif_removing_the_broker_splits_the_cells() -> None:
    g = _cells()
    out = change.whatif(g, ["broker"])
    assert out["before"]["components"] == 1 and out["after"]["components"] == 2
    assert out["after"]["fragmentation"] > out["before"]["fragmentation"]
    assert out["after"]["reach"] < out["before"]["reach"]
    assert len(out["cut_off"]) == 5


def test_windows_show_who_rose_after_a_date() -> None:
    early = {("a", "b"): "2022-01-01", ("b", "c"): "2022-02-01"}
    late = {("x", "b"): "2023-02-01", ("b", "y"): "2023-03-01", ("y", "z"): "2023-03-02",
            ("z", "w"): "2023-03-03"}  # fmt: skip
    g = _graph(list(early) + list(late), {**early, **late})
    first, second = change.around("2023-01-01", 365)
    out = change.windows(g, first, second)
    assert "y" in [r["id"] for r in out["rose"]]
    assert {"a", "c"} <= set(out["vanished"]) and "z" in out["appeared"]


def test_stable_ids_keep_names_of_communities_that_persist() -> None:
    before = stable.assign([["a", "b", "c"], ["x", "y"]], {})
    prev = {m: before[0] for m in "abc"} | {m: before[1] for m in "xy"}
    after = stable.assign([["x", "y", "z"], ["a", "b"], ["c", "d"]], prev)
    assert after[0] == before[1] and after[1] == before[0]
    assert after[2] not in before and after[2].startswith("C")
