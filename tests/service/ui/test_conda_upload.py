"""An uploaded conda export, over plain HTTP against the real server: its warnings reach the
user (they were written to the server's stderr) and its messages name the uploaded file (they
named the server's temporary copy)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote

import httpx
import pytest

from envyard.testing.conda_channel import CondaChannel, conda_channel
from envyard.testing.plugin import unique_name

from .conftest import UiServer

__all__ = ["conda_channel"]
pytestmark = pytest.mark.xdist_group("envyard-ui")

EXPORT = """\
name: science
channels:
  - {channel}
category: main
dependencies:
  - tinynumpy=1.26.4
  - pip:
      - {pip}
"""


@pytest.fixture
def client(ui_server: UiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=ui_server.url, trust_env=False) as http:
        csrf = _csrf(http)
        signed = http.post("/session", data={"csrf": csrf, "token": ui_server.token("write")})
        assert signed.status_code == 303
        yield http


def _csrf(client: httpx.Client) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/create").text)
    assert found
    return found.group(1)


def _upload(client: httpx.Client, name: str, text: str) -> httpx.Response:
    fields = {"csrf": _csrf(client), "mode": "conda", "name": name, "image": "python:3.11-slim"}
    files = {"conda_file": ("environment.yml", text.encode(), "text/yaml")}
    return client.post("/create", data=fields, files=files)


def test_a_bad_line_is_located_in_the_uploaded_file(
    client: httpx.Client, conda_channel: CondaChannel
) -> None:
    export = EXPORT.format(channel=conda_channel.url, pip="'six =='")
    page = _upload(client, unique_name("ui-bad-pip"), export)
    assert page.status_code == 422, page.text
    assert "environment.yml:8" in page.text
    assert "envyard-ui-" not in page.text  # not the server's temporary copy


def test_warnings_are_shown_after_the_environment_is_created(
    client: httpx.Client, conda_channel: CondaChannel
) -> None:
    conda_channel.add_package("tinynumpy", "1.26.4")
    name = unique_name("ui-warned")
    done = _upload(client, name, EXPORT.format(channel=conda_channel.url, pip="six==1.16.0"))
    assert done.status_code == 303, done.text
    flash = unquote(done.cookies.get("envyard_flash") or "")
    assert f"created {name}@1" in flash
    assert "warning: environment.yml:4:1" in flash and "[CONDA001]" in flash
