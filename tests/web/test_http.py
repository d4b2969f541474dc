"""The UI's HTTP surface on a real server: pages need a session, the login ticket cannot
be forged or replayed by another browser, cross-origin socket connections are refused,
security headers are set, and the API beside the UI is unchanged."""

from __future__ import annotations

import httpx

from tests.web.conftest import Site


def test_pages_need_a_session_and_forged_tickets_get_none(site: Site) -> None:
    with httpx.Client(base_url=site.mx, follow_redirects=False, timeout=10.0) as http:
        page = http.get("/ui/record?id=mex-per-nunez-zuniga-oi")
        assert page.status_code == 303
        assert (
            page.headers["location"]
            == "/ui/login?next=%2Fui%2Frecord%3Fid%3Dmex-per-nunez-zuniga-oi"
        )
        assert http.get("/").headers["location"] == "/ui/search"
        login = http.get("/ui/login")
        assert login.status_code == 200 and "Núñez" not in login.text
        assert login.headers["x-frame-options"] == "DENY"
        assert login.headers["referrer-policy"] == "no-referrer"
        cookie = page.headers["set-cookie"].lower()  # set on the first page asked
        assert (
            cookie.startswith("puente_mex=")
            and "httponly" in cookie
            and "samesite=strict" in cookie
        )
        forged = http.get("/ui/session", params={"ticket": "x" * 43, "next": "/ui/search"})
        assert forged.headers["location"] == "/ui/login?expired=1"
        assert http.get("/ui/search").status_code == 303  # still not logged in


def test_cross_origin_socket_connections_are_refused(site: Site) -> None:
    url = "/_nicegui_ws/socket.io/?EIO=4&transport=polling"
    with httpx.Client(base_url=site.mx, timeout=10.0) as http:
        same = http.get(url, headers={"Origin": site.mx})
        other = http.get(url, headers={"Origin": "http://evil.example"})
    assert same.status_code == 200
    assert other.status_code == 400


def test_the_api_beside_the_ui_is_unchanged(site: Site) -> None:
    with httpx.Client(base_url=site.mx, timeout=10.0) as http:
        assert http.get("/health").json()["country"] == "MEX"
        assert http.get("/search", params={"q": "x"}).status_code == 401
        paths = http.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith("/ui")]
