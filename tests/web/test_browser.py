"""The main pages in a real browser against a real ``puente demo``: login, search, a
record, the link chart (expanded by clicking a node), the exchange (sync and
reconcile between the two nodes), the review queue and the tour; the language switch;
a screenshot of each page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.web.conftest import Site, login

NODE_XY = """([testid, name]) => {
  const el = document.querySelector(`[data-testid="${testid}"]`);
  const chart = getElement(Number(el.id.slice(1))).chart;
  const data = chart.getModel().getSeriesByIndex(0).getData();
  const idx = data.indexOfName(name);
  if (idx < 0) return null;
  const layout = data.getItemLayout(idx);
  return chart.convertToPixel({seriesIndex: 0}, [layout[0], layout[1]]);
}"""
NODE_NAMES = """(testid) => {
  const el = document.querySelector(`[data-testid="${testid}"]`);
  const chart = el && getElement(Number(el.id.slice(1)))?.chart;
  const series = chart && chart.getOption()?.series;
  return series && series.length ? series[0].data.map((d) => d.name) : [];
}"""


def chart_nodes(page: Any) -> list[str]:
    return list(page.evaluate(NODE_NAMES, "chart"))


def click_node(page: Any, name: str) -> None:
    """A real mouse click on the node's position in the chart's canvas, once the node
    has stopped moving (a redraw lays the graph out again)."""
    xy = page.evaluate(NODE_XY, ["chart", name])
    for _ in range(20):
        page.wait_for_timeout(250)
        again = page.evaluate(NODE_XY, ["chart", name])
        if again == xy:
            break
        xy = again
    assert xy is not None, f"{name} is not drawn"
    box = page.get_by_test_id("chart").bounding_box()
    page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])


def test_analyst_searches_opens_a_record_and_expands_the_link_chart(site: Site, page: Any) -> None:
    login(page, site.mx, "analista.mx", site.passwords["analista.mx"])
    page.get_by_test_id("q").fill("nunez zuniga")
    page.get_by_test_id("summary").get_by_text("1 resultados", exact=True).wait_for()
    page.get_by_test_id("results").get_by_text("Óscar Iván Núñez Zúñiga").wait_for()
    for where in ("banner-top", "banner-bottom"):  # the one hit's own marking, both copies
        assert page.get_by_test_id(where).inner_text() == "CONFIDENCIAL // SOLO MEX"
    site.shot(page, "search")

    page.get_by_test_id("results").get_by_text("Óscar Iván Núñez Zúñiga").click()
    page.wait_for_url("**/ui/record?id=mex-per-nunez-zuniga-oi")
    page.get_by_test_id("markings").get_by_text("B2 — Fuente generalmente fiable").wait_for()
    assert "Registro propio de MEX" in page.get_by_test_id("provenance").inner_text()
    page.get_by_test_id("history").get_by_text("alta").first.wait_for()  # rendered after load
    site.shot(page, "record")

    page.get_by_test_id("open-chart").click()
    page.wait_for_url("**/ui/graph?id=**")
    page.get_by_test_id("chart").wait_for()
    page.wait_for_function(f"({NODE_NAMES})('chart').length > 1")
    before = chart_nodes(page)
    assert "mex-per-nunez-zuniga-oi" in before
    # José Luis Hernández Ramírez (paid by Núñez) possessed the seized rifles: clicking
    # him brings them in.
    assert "mex-arma-0001" not in before
    selected = page.get_by_test_id("selected").get_by_text("José Luis Hernández Ramírez")
    # The canvas may still be settling, and the expansion behind the click takes a while
    # when the other test worker loads the machine (seen in CI): click again, wait longer.
    for attempt in range(4):
        click_node(page, "mex-per-hernandez-ramirez-jl")
        try:
            selected.wait_for(timeout=15_000)
            break
        except Exception:
            site.shot(page, f"linkchart-click-{attempt}")
            if attempt == 3:
                raise
    page.wait_for_function(f"({NODE_NAMES})('chart').length > {len(before)}")
    after = chart_nodes(page)
    assert set(after) > set(before) and "mex-arma-0001" in after
    stats = page.get_by_test_id("graph-stats").inner_text()
    assert re.match(r"\d+ nodos, \d+ vínculos a la vista", stats)
    site.shot(page, "linkchart")

    with page.expect_download() as download:
        page.get_by_test_id("export-graphml").click()
    text = Path(download.value.path()).read_text("utf-8")
    assert "mex-arma-0001" in text and "<graphml" in text


def test_officer_syncs_and_reconciles_with_the_partner(site: Site, page: Any) -> None:
    login(page, site.mx, "oficial.mx", site.passwords["oficial.mx"], "/ui/exchange")
    page.get_by_test_id("sync-USA").click()
    page.get_by_test_id("outcome-USA").get_by_text(
        re.compile(r"USA: \d+ entradas aplicadas")
    ).wait_for()
    ledger = page.get_by_test_id("ledger-USA").inner_text()
    received = int(re.search(r"recibidas y aplicadas: (\d+)", ledger).group(1))
    assert received > 0
    # What arrived is listed, as read-only copies from USA.
    rows = page.get_by_test_id("received-USA").locator("tbody tr")
    assert rows.count() > 0
    page.get_by_test_id("reconcile-USA").click()
    page.get_by_test_id("outcome-USA").get_by_text("Libros de USA concordantes").wait_for()
    site.shot(page, "exchange")
    rows.first.locator("a").click()
    page.wait_for_url("**/ui/record?id=USA%3A**")
    assert "recibida de USA" in page.get_by_test_id("provenance").inner_text()


def test_review_tour_and_language_switch(site: Site, page: Any) -> None:
    login(page, site.us, "analyst.us", site.passwords["analyst.us"], "/ui/review")
    page.get_by_test_id("resolve-run").click()
    page.get_by_text(re.compile(r"Resolution of Person: \d+ records")).wait_for(timeout=120_000)
    assert re.match(r"\d+ pairs to review", page.get_by_test_id("queue-count").inner_text())
    site.shot(page, "review")
    page.goto(site.us + "/ui/tour")
    page.get_by_test_id("tour").get_by_text("A five-minute tour").wait_for()
    assert page.get_by_test_id("tour-partner-MEX").get_attribute("href") == site.mx + "/ui/tour"
    site.shot(page, "tour")
    page.get_by_test_id("lang").click()
    page.get_by_test_id("tour").get_by_text("Recorrido de cinco minutos").wait_for()
    page.get_by_test_id("lang").click()  # and back, for the other tests
    page.get_by_test_id("tour").get_by_text("A five-minute tour").wait_for()


def test_logout_ends_the_session(site: Site, page: Any) -> None:
    login(page, site.us, "analyst.us", site.passwords["analyst.us"])
    page.get_by_test_id("logout").click()
    page.wait_for_url("**/ui/login**")
    page.goto(site.us + "/ui/search")
    page.wait_for_url("**/ui/login?next=%2Fui%2Fsearch")
