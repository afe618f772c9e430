"""UI hardening (issue 18, item 7), over plain HTTP against the real server: security headers
on pages, static files and the docs pages; an HttpOnly flash cookie; the sign-in redirect only
to same-origin paths; and /docs, /redoc served from local files (no CDN)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from envyard.service.headers import DOCS_CSP, PAGE_CSP
from envyard.service.ui.actions import same_origin_path

from .conftest import UiServer

pytestmark = pytest.mark.xdist_group("envyard-ui")


@pytest.fixture
def client(ui_server: UiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=ui_server.url, trust_env=False) as http:
        yield http


def _csrf(client: httpx.Client, url: str = "/") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(url).text)
    assert found
    return found.group(1)


@pytest.mark.parametrize("path", ["/", "/runs", "/tokens", "/create", "/environments/nope"])
def test_pages_carry_the_security_headers(client: httpx.Client, path: str) -> None:
    page = client.get(path)
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == PAGE_CSP
    assert "script-src 'self';" in PAGE_CSP and "unsafe-inline" not in PAGE_CSP
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    assert "<script>" not in page.text and " style=" not in page.text  # nothing inline


def test_static_files_and_docs_pages(client: httpx.Client) -> None:
    for path in ("/ui/static/app.js", "/ui/static/layout.css", "/docs/static/swagger-ui.css"):
        got = client.get(path)
        assert (got.status_code, got.headers["x-content-type-options"]) == (200, "nosniff")
    for path in ("/docs", "/redoc"):
        page = client.get(path)
        assert page.headers["content-security-policy"] == DOCS_CSP
        assert page.headers["x-frame-options"] == "DENY"
        sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources)
        assert "cdn" not in page.text.lower()
        for source in sources:  # every asset the page needs is served here
            assert client.get(source).status_code == 200, source
    bundle = client.get("/docs/static/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith("text/javascript")
    assert len(bundle.content) > 500_000 and b"SwaggerUIBundle" in bundle.content
    assert b"Redoc" in client.get("/docs/static/redoc.standalone.js").content
    assert client.get("/docs/static/../../etc/passwd").status_code == 404
    assert client.get("/openapi.json").json()["info"]["title"] == "Envyard"


def test_flash_cookie_is_http_only(client: httpx.Client) -> None:
    refused = client.post("/session", data={"csrf": _csrf(client), "token": "eyd_unknown"})
    assert refused.status_code == 303
    cookie = next(
        h for h in refused.headers.get_list("set-cookie") if h.startswith("envyard_flash=")
    )
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie


@pytest.mark.parametrize(
    ("referer", "back"),
    [
        ("{base}/runs?state=failed", "/runs?state=failed"),
        ("{base}//evil.example/steal", "/"),
        ("//evil.example/steal", "/"),
        ("https://evil.example/", "/"),
        ("{base}/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_sign_in_goes_back_only_to_same_origin_paths(
    client: httpx.Client, ui_server: UiServer, referer: str, back: str
) -> None:
    csrf = _csrf(client)
    headers = {"referer": referer.format(base=ui_server.url)} if referer else {}
    answer = client.post(
        "/session", data={"csrf": csrf, "token": ui_server.token("read")}, headers=headers
    )
    assert (answer.status_code, answer.headers["location"]) == (303, back)


def test_same_origin_path_rules() -> None:
    base = "http://127.0.0.1:8000/"
    assert same_origin_path("http://127.0.0.1:8000/a/b?x=1", base) == "/a/b?x=1"
    assert same_origin_path("http://127.0.0.1:8001/a", base) == "/"
    assert same_origin_path("https://127.0.0.1:8000/a", base) == "/"
    assert same_origin_path("http://127.0.0.1:8000//host/path", base, "/runs") == "/runs"
    assert same_origin_path("http://127.0.0.1:8000/a%0d%0aSet-Cookie:x", base) == (
        "/a%0d%0aSet-Cookie:x"  # still encoded: a path, not a header
    )
    assert same_origin_path("http://127.0.0.1:8000/a\r\nX: y", base) == "/"
