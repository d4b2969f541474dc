"""The Python scorer and Splink agree on every pair, and the model finds the same man
written three ways while keeping apart people who share a common surname."""

from __future__ import annotations

import random
from typing import Any

import pytest
from faker import Faker

from puente.resolve.explain import Scorer
from puente.resolve.features import Row, extract
from puente.resolve.model import Trained, run
from puente.resolve.profiles import PROFILES


def _variant(rng: random.Random, p: dict[str, Any]) -> dict[str, Any]:
    given, father, mother = p["given"], p["father"], p["mother"]
    style = rng.randrange(4)
    if style == 0:
        name = f"{given} {father}".upper()  # maternal surname dropped
    elif style == 1:
        name = f"{given[0]}. {father}-{mother}"  # initial, hyphenated surnames
    elif style == 2:
        name = f"{father} {mother}, {given}"
    else:
        name = f"{given} {father} {mother} alias {p['alias']}"
    dob = p["dob"]
    if rng.random() < 0.2 and int(dob[8:]) <= 12:
        dob = f"{dob[:4]}-{dob[8:]}-{dob[5:7]}"  # day and month swapped
    props: dict[str, Any] = {"name": [name], "birthDate": [dob]}
    if rng.random() < 0.5:
        ident = p["id"]
        if rng.random() < 0.3:
            ident = ident.replace("0", "O").replace("1", "I")[:-1]  # OCR, one char lost
        props["idNumber"] = [ident]
    return props


def population(n_people: int, seed: int) -> tuple[list[str], list[Row], dict[str, int]]:
    fake = Faker("es_MX")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    ids: list[str] = []
    rows: list[Row] = []
    truth: dict[str, int] = {}
    for person in range(n_people):
        p = {
            "given": fake.first_name(),
            "father": fake.last_name(),
            "mother": fake.last_name(),
            "alias": rng.choice(["El Güero", "El Flaco", "La Chata", "El Gordo", "El Chino"]),
            "dob": fake.date_of_birth(minimum_age=18, maximum_age=70).isoformat(),
            "id": f"{rng.randrange(10**8, 10**9)}",
        }
        for k in range(rng.choice([1, 1, 2, 3])):
            rid = f"p{person}-{k}"
            ids.append(rid)
            rows.append(extract("Person", _variant(rng, p)))
            truth[rid] = person
    return ids, rows, truth


@pytest.fixture(scope="module")
def trained() -> tuple[Trained, Any, dict[str, Row], dict[str, int]]:
    ids, rows, truth = population(700, seed=7)
    model, pred = run(PROFILES["Person"], ids, rows)
    return model, pred, dict(zip(ids, rows, strict=True)), truth


def test_python_scorer_equals_splink_on_every_pair(trained: Any) -> None:
    model, pred, rows, _ = trained
    scorer = Scorer(model)
    assert len(pred) > 500
    for left, right, weight in zip(
        pred.unique_id_l, pred.unique_id_r, pred.match_weight, strict=True
    ):
        assert scorer.score(rows[left], rows[right]) == pytest.approx(weight, abs=1e-6)


def test_explanation_adds_up_and_names_levels(trained: Any) -> None:
    model, pred, rows, _ = trained
    scorer = Scorer(model)
    left, right = pred.unique_id_l.iloc[0], pred.unique_id_r.iloc[0]
    ex = scorer.explain(left, rows[left], right, rows[right])
    assert ex.weight == pytest.approx(ex.prior + sum(f.weight for f in ex.fields))
    assert {f.field for f in ex.fields} == {c.name for c in PROFILES["Person"].comparisons}
    assert all(f.level for f in ex.fields)


def test_model_links_variants_and_separates_strangers(trained: Any) -> None:
    _, pred, _, truth = trained
    linked = pred[pred.match_probability >= 0.5]
    got = {(a, b) for a, b in zip(linked.unique_id_l, linked.unique_id_r, strict=True)}
    true_pairs = {(a, b) for a in truth for b in truth if a < b and truth[a] == truth[b]}
    got = {(min(a, b), max(a, b)) for a, b in got}
    tp = len(got & true_pairs)
    assert tp / len(got) > 0.95  # precision
    assert tp / len(true_pairs) > 0.8  # recall on deliberately hard variants


def test_term_frequency_common_surname_counts_less(trained: Any) -> None:
    model, _, _, _ = trained
    scorer = Scorer(model)
    tf = model.tf["sur_key"]
    common = max(tf, key=lambda k: tf[k])
    rare = min(tf, key=lambda k: tf[k])
    base = {c: None for c in extract("Person", {"name": ["X Y"]})}

    def pair(sur: str) -> float:
        row = {**base, "sur1": sur.split()[0], "sur_key": sur, "surnames": sorted(sur.split())}
        return scorer.score(row, dict(row))

    assert pair(rare) > pair(common)
