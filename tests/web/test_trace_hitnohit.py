"""The hit/no-hit, request-for-information and tracing pages in a real browser against a
real ``puente demo``: an MX analyst asks the US node about a recovered rifle's serial and
make, gets a hit with an opaque reference and sends a follow-up request; the US
releasing officer approves it, withholding a property; the MX analyst fetches the
decision. On the trace page the MX analyst traces every gun of a seizure, the US node
matches the request, and the analyst reads the released result with its time to crime.
"""

from __future__ import annotations

import os
import re
import subprocess
from typing import Any

import pytest

from tests.web.conftest import Site, login, puente_cmd


def cli(site: Site, node: str, *args: str) -> str:
    """A ``puente`` command on one of the running demo's nodes (``mx`` or ``us``)."""
    base = ["--node", str(site.directory / node)]
    for line in (site.directory / node / "puente.toml").read_text("utf-8").splitlines():
        if line.startswith("db_url"):
            base += ["--db-url", line.split("=", 1)[1].strip().strip('"')]
    done = subprocess.run(
        [*puente_cmd(), *base, *args], capture_output=True, text=True,
        env={**os.environ, "PUENTE_LANG": "en"}, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def paired(site: Site) -> Site:
    """Hit/no-hit keys agreed between the two demo nodes (each fetches the other's key)."""
    cli(site, "mx", "hitnohit", "pair", "US", "--fetch", "--contact", "UIF RFI")
    cli(site, "us", "hitnohit", "pair", "MX", "--fetch", "--contact", "ATF NTC")
    return site


def choose(scope: Any, testid: str, option: str) -> None:
    scope.get_by_test_id(testid).click()
    getattr(scope, "page", scope).get_by_role("option", name=option, exact=True).click()


def test_hit_request_and_officer_approval(paired: Site, page: Any, browser: Any) -> None:
    site = paired
    login(page, site.mx, "analista.mx", site.passwords["analista.mx"], "/ui/hitnohit")
    choose(page, "hnh-kind", "Arma (serie y marca)")
    page.get_by_test_id("hnh-value").fill("AA004417")
    page.get_by_test_id("hnh-make").fill("Barrett")
    page.get_by_test_id("hnh-ask").click()
    page.get_by_test_id("hnh-result-hit").wait_for()
    assert "COINCIDENCIA" in page.get_by_test_id("hnh-result-hit").inner_text()
    answers = page.get_by_test_id("hnh-answers").inner_text()
    assert "1 de 1 elementos con coincidencia" in answers and "ATF NTC" in answers
    page.get_by_test_id("rfi-case").first.fill("FGR/WEB/0001/2025")
    page.get_by_test_id("rfi-why").first.fill("Rifle asegurado en Culiacán; homicidio en curso")
    page.get_by_test_id("rfi-urgent").first.click()
    page.get_by_test_id("rfi-send").first.click()
    page.get_by_text(re.compile(r"Solicitud \w+ enviada a USA")).wait_for()
    site.shot(page, "hitnohit-ask")
    row = page.get_by_test_id("rfi-out").locator("tr", has_text="FGR/WEB/0001/2025")
    row.get_by_text("pendiente").wait_for()  # the list of my requests follows at once
    assert "pendiente" in row.inner_text() and "urgente" in row.inner_text()
    rid = row.locator("td").first.inner_text().strip()

    officer_ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    officer_ctx.set_default_timeout(20_000)
    officer = officer_ctx.new_page()
    try:
        login(officer, site.us, "officer.us", site.passwords["officer.us"], "/ui/hitnohit")
        card = officer.get_by_test_id(f"rfi-in-{rid}")
        assert "FGR/WEB/0001/2025" in card.inner_text() and "urgent" in card.inner_text()
        assert officer.get_by_test_id("hnh-ask").count() == 0  # the officer asks nothing
        for where in ("banner-top", "banner-bottom"):  # the record hit is on screen
            assert officer.get_by_test_id(where).inner_text() == "RESTRICTED // ONLY USA"
        choose(card, "rfi-redact", "caliber")  # withhold the calibre from the copy
        officer.keyboard.press("Escape")
        site.shot(officer, "hitnohit-queue")
        card.get_by_test_id("rfi-approve").click()
        officer.get_by_text(re.compile(rf"Request {rid} approved: copy rfi-{rid}")).wait_for()
        officer.get_by_test_id(f"rfi-in-{rid}").wait_for(state="detached")
        officer.goto(f"{site.us}/ui/record?id=rfi-{rid}")  # the release copy, as approved
        props = officer.get_by_test_id("properties").inner_text()
        assert "AA004417" in props and ".50 BMG" not in props
    finally:
        officer_ctx.close()

    page.get_by_test_id("rfi-sync").click()
    page.get_by_text("1 solicitudes con decisión nueva").wait_for()
    row = page.get_by_test_id("rfi-out").locator("tr", has_text="FGR/WEB/0001/2025")
    row.get_by_text("aprobada").wait_for()  # the table is redrawn after the notice
    assert "aprobada" in row.inner_text() and f"rfi-{rid}" in row.inner_text()


def test_a_persons_passport_turns_a_weak_name_into_a_hit(paired: Site, page: Any) -> None:
    """ "Óscar Núñez" without a date is too little for a hit on the US node's Oscar Ivan
    Nunez Zuniga; with the passport he holds there, typed into the form's optional
    field, it is one."""
    site = paired
    login(page, site.mx, "analista.mx", site.passwords["analista.mx"], "/ui/hitnohit")
    choose(page, "hnh-kind", "Persona (nombre)")
    page.get_by_test_id("hnh-value").fill("Óscar Núñez")
    page.get_by_test_id("hnh-ask").click()
    page.get_by_test_id("hnh-result-nohit").wait_for()
    page.get_by_test_id("hnh-passport").fill("G2834 1177")
    page.get_by_test_id("hnh-ask").click()
    page.get_by_test_id("hnh-result-hit").wait_for()
    assert "Óscar Núñez: COINCIDENCIA" in page.get_by_test_id("hnh-answers").inner_text()


def test_the_analyst_role_sees_no_request_queue(site: Site, page: Any) -> None:
    login(page, site.mx, "analista.mx", site.passwords["analista.mx"], "/ui/hitnohit")
    page.get_by_test_id("hnh-ask").wait_for()
    assert page.get_by_test_id("rfi-queue").count() == 0


def test_trace_a_seizure_and_read_the_released_result(site: Site, page: Any) -> None:
    login(page, site.mx, "analista.mx", site.passwords["analista.mx"], "/ui/trace")
    page.get_by_test_id("trace-recovery").fill("mex-aseg-2025-0318-cln")
    page.get_by_test_id("trace-send").click()
    page.wait_for_url(re.compile(r".*/ui/trace\?id=.+"))
    head = page.get_by_test_id("trace-head")
    head.get_by_text(re.compile(r"Solicitud .+ enviada a USA: 3 armas")).wait_for()
    for where in ("banner-top", "banner-bottom"):  # the seizure's own marking
        assert page.get_by_test_id(where).inner_text() == "RESERVADO // REL A: MEX, USA"

    cli(site, "us", "trace", "process")  # the answering node matches what it received
    page.get_by_test_id("trace-refresh").click()
    row = page.get_by_test_id("trace-results").locator("tr", has_text="AA004417")
    row.get_by_text("completada").wait_for()
    text = row.inner_text()
    assert "Barrett M82A1" in text and "Desert Ridge Firearms LLC AZ" in text
    assert "134" in text  # sold 2024-11-04, recovered 2025-03-18: days to crime
    assert "tiempo al delito < 3 años" in text
    site.shot(page, "trace-results")
