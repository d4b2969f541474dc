"""The bilingual progress report, built on both nodes from the 2025 example framework
after one exchange: both secretariats see one picture, the PDF's text is in the asked
language (read back with pypdf), and its banner follows what it shows."""

from __future__ import annotations

import io
from collections.abc import Callable

from pypdf import PdfReader

from puente.coordinate import render
from puente.coordinate.example import load_example_framework
from puente.coordinate.report import build
from puente.coordinate.writes import snapshot
from puente.node import Node
from puente.store.users import User
from tests.coordinate.helpers import exchange, pair

CONFIDENTIAL = User("sec.conf", ("secretariat",), 2, "es")
RESTRICTED = User("sec.rest", ("secretariat",), 1, "en")


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_report_in_both_languages_from_one_shared_picture(
    make_node: Callable[..., Node],
) -> None:
    mx, us = pair(make_node)
    loaded = load_example_framework([mx, us], cbp_file=None)
    assert [(x.country, x.items) for x in loaded] == [("MEX", 20), ("USA", 17)]
    exchange(mx, us)
    pictures = [snapshot(n, CONFIDENTIAL) for n in (mx, us)]
    numbers = [[i.number for _, i in p.walk()] for p in pictures]
    assert numbers[0] == numbers[1] and len(numbers[0]) == 37  # one picture, both sides
    assert {i.origin for i in pictures[0].items.values()} == {"MEX", "USA"}

    es = build(mx, CONFIDENTIAL, "2025-Q4", "es")
    en = build(us, CONFIDENTIAL, "2025-Q4", "en")
    text_es, text_en = _text(render.pdf(es)), _text(render.pdf(en))
    assert "Informe de avance del grupo de implementación — 2025-Q4" in text_es
    assert "Implementation group progress report — 2025-Q4" in text_en
    assert "Estado por área de cooperación" in text_es and "Status by cooperation area" in text_en
    assert "Desmantelar las operaciones de los cárteles" in text_es
    assert "Dismantle the cartels' operations" in text_en
    assert "Dismantle the cartels" not in text_es and "Desmantelar" not in text_en
    # Overdue at the end of 2025: the US tunnel-technology commitment (due 2025-12-31);
    # at the end of 2026-Q1 also the four due on 31 March that are not completed.
    assert [i.number for i in es.overdue] == ["2.2.1.2"] == [i.number for i in en.overdue]
    later = build(mx, CONFIDENTIAL, "2026-Q1", "es").overdue
    assert [i.number for i in later] == ["1.1.1.1", "2.2.1.1", "2.2.1.2", "3.2.1.1", "4.1.1.1"]
    assert "Compromisos vencidos (1)" in text_es and "Overdue commitments (1)" in text_en
    # The 2025 transfers (29 + 26) are reported values; the latest is shown with its source.
    line = next(x for x in es.indicators if x.indicator.code == "TRANSFERS")
    assert line.value is not None and line.value.value == 26 and line.state == "no_target"
    # The framework holds one confidential commitment (the tunnel protocol): the banner says so.
    assert es.banner.startswith("CONFIDENCIAL") and "CONFIDENCIAL" in text_es
    assert en.banner.startswith("CONFIDENTIAL") and "CONFIDENTIAL" in text_en
    # A secretariat cleared only to restricted gets a report without it.
    low = build(mx, RESTRICTED, "2025-Q4", "en")
    assert "2.2.1.1" not in {i.number for _, i in low.frame.walk()}
    assert low.banner.startswith("PUBLIC") or low.banner.startswith("RESTRICTED")
    html = render.html(en)
    assert html.count("<svg") >= 1 and "<script" not in html
