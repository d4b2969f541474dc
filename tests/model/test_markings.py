from __future__ import annotations

import pytest

from puente.errors import InvalidInput
from puente.model.markings import Markings, banner_for

BASE = {
    "classification": "confidential",
    "rel_to": ["USA"],
    "handling": "H0",
    "source_reliability": "B",
    "info_credibility": "2",
}


def test_parse_normalises_codes_and_partners() -> None:
    m = Markings.parse({**BASE, "rel_to": "us, MEX"}, originator="MX", partners={"USA", "MEX"})
    assert m.rel_to == ("MEX", "USA")
    assert m.originator == "MEX"
    assert m.level == 2
    assert m.evaluation == "B2"
    assert m.releasable_to("USA") and not m.releasable_to("GTM")


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"classification": "ultra"}, "error.marking_bad_value"),
        ({"handling": "H9"}, "error.marking_bad_value"),
        ({"source_reliability": "Z"}, "error.marking_bad_value"),
        ({"info_credibility": "5"}, "error.marking_bad_value"),
        ({"classification": None}, "error.marking_missing"),
        ({"handling": "H3"}, "error.marking_missing"),  # H3 needs a note
        ({"colour": "red"}, "error.marking_unknown_field"),
        ({"rel_to": ["GTM"]}, "error.marking_unknown_partner"),
        ({"rel_to": ["Atlantis"]}, "error.unknown_country"),
    ],
)
def test_invalid_markings_are_refused_with_a_reason(change: dict[str, object], key: str) -> None:
    with pytest.raises(InvalidInput) as info:
        Markings.parse({**BASE, **change}, originator="MEX", partners={"USA"})
    assert info.value.key == key


def test_default_is_the_safe_one() -> None:
    m = Markings.default("MEX")
    assert m.classification == "restricted"
    assert m.rel_to == ()
    assert m.originator_control


def test_banner_shows_highest_classification_and_common_release() -> None:
    a = Markings.parse(BASE, originator="MEX")
    b = Markings.parse(
        {**BASE, "classification": "restricted", "rel_to": ["USA", "GTM"]}, originator="MEX"
    )
    assert banner_for([a, b], "en") == "CONFIDENTIAL // REL TO: MEX, USA"
    assert banner_for([a, b], "es") == "CONFIDENCIAL // REL A: MEX, USA"
    private = Markings.default("MEX")
    assert banner_for([a, private], "en") == "CONFIDENTIAL // ONLY MEX"
