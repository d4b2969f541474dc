"""A user without clearance never sees a restricted record or edge anywhere in the UI:
search results, the record page, the link chart, its GraphML export, the banner.

The MX demo holds three SECRET records: Ramón Beltrán Ochoa, his call to Núñez
(``mex-llam-0001``) and his payment (``mex-pago-0001``); the demo analyst is cleared
to CONFIDENTIAL. A user cleared only to PUBLIC is added for the test.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from tests.web.conftest import Site, add_user, login
from tests.web.test_browser import NODE_NAMES, chart_nodes

SECRET_IDS = ("mex-per-beltran-ochoa-r", "mex-llam-0001", "mex-pago-0001")
SECRET_TEXT = ("Beltrán", "Beltran", *SECRET_IDS)


def assert_absent(text: str) -> None:
    for needle in SECRET_TEXT:
        assert needle not in text, needle


def all_results(page: Any) -> int:
    """Show every result of the current search (pressing "more" until there is none)."""
    page.get_by_test_id("summary").get_by_text(re.compile(r"^\d+ resultados")).wait_for()
    while page.get_by_test_id("more").is_visible():
        before = page.get_by_test_id("summary").inner_text()
        page.get_by_test_id("more").click()
        page.wait_for_function(
            "(t) => document.querySelector('[data-testid=summary]').innerText !== t", arg=before
        )
    rows = page.get_by_test_id("results").locator("tbody tr")
    return int(rows.count())


def test_confidential_analyst_never_sees_secret_records_or_edges(site: Site, page: Any) -> None:
    login(page, site.mx, "analista.mx", site.passwords["analista.mx"])
    all_results(page)  # every record the analyst may see, page after page
    assert_absent(page.content())
    page.get_by_test_id("q").fill("beltran ochoa")
    page.get_by_test_id("summary").get_by_text("0 resultados", exact=True).wait_for()
    assert_absent(page.content())

    page.goto(site.mx + "/ui/record?id=mex-per-beltran-ochoa-r")
    page.get_by_test_id("page-error").get_by_text("habilitación no permite").wait_for()
    assert "Ramón" not in page.content() and "Beltrán" not in page.content()

    page.goto(site.mx + "/ui/graph?id=mex-per-nunez-zuniga-oi")
    page.get_by_test_id("chart").wait_for()
    page.wait_for_function(f"({NODE_NAMES})('chart').length > 1")
    assert not set(SECRET_IDS) & set(chart_nodes(page))
    assert_absent(page.content())
    with page.expect_download() as download:
        page.get_by_test_id("export-graphml").click()
    exported = Path(download.value.path()).read_text("utf-8")
    assert "mex-per-nunez-zuniga-oi" in exported
    assert_absent(exported)

    page.goto(site.mx + "/ui/graph?id=mex-llam-0001")  # a secret edge as the focus
    page.get_by_test_id("page-error").wait_for()
    assert page.get_by_test_id("chart").count() == 0


def test_public_user_sees_only_public_records(site: Site, page: Any) -> None:
    name = f"publico{uuid.uuid4().hex[:6]}"
    password = "solo-lo-publico-" + uuid.uuid4().hex[:8]
    add_user(site, "mx", name, password, "public")
    login(page, site.mx, name, password)
    assert all_results(page) >= 5  # the five PUBLIC example records of MX at least
    cells = page.get_by_test_id("results").locator("tbody tr td:nth-child(4)").all_inner_texts()
    assert cells and set(cells) == {"PÚBLICO"}
    assert page.get_by_test_id("banner-top").inner_text() == "PÚBLICO"
    page.goto(site.mx + "/ui/graph?id=mex-per-nunez-zuniga-oi")  # confidential: refused
    page.get_by_test_id("page-error").wait_for()
    assert "Núñez" not in page.content()
    assert page.get_by_test_id("chart").count() == 0
