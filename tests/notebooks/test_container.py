"""--backend container: kernels inside the environment's image with podman (network none)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.notebooks.helpers import write_notebook
from tests.notebooks.images import Podman, ipykernel_image, podman_or_skip

from envyard.notebooks.session import SessionRequest, run_session

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def podman_image(tmp_path_factory: pytest.TempPathFactory) -> tuple[Podman, str]:
    work = tmp_path_factory.mktemp("nb-image")
    podman = podman_or_skip(work)
    return podman, ipykernel_image(podman, work)


def test_notebooks_run_in_the_environment_image(
    podman_image: tuple[Podman, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from envyard.client import Client

    podman, tag = podman_image
    monkeypatch.setenv("CONTAINERS_CONF", podman.env["CONTAINERS_CONF"])
    with Client() as client:
        client.environments.create({"name": "imgenv", "image": tag})
    folder = tmp_path / "nbs"
    (folder / "input.txt").parent.mkdir(parents=True)
    (folder / "input.txt").write_text("from the snapshot\n", encoding="utf-8")
    write_notebook(
        folder / "inside.ipynb",
        "import os, sys\nprint(sys.executable)\nassert os.path.exists('/bin/busybox')",
        "print(open('input.txt').read())",
        "import socket\ntry:\n    socket.create_connection(('1.1.1.1', 53), timeout=1)\n"
        "    raise SystemExit('network should be off')\nexcept OSError:\n    print('no network')",
    )
    write_notebook(folder / "fail.ipynb", "raise ValueError('boom')")
    write_notebook(folder / "hang.ipynb", "import time\nwhile True:\n    time.sleep(0.05)")
    write_notebook(folder / "crash.ipynb", "import os\nos._exit(3)")
    report = run_session(
        SessionRequest(
            [folder], environment="imgenv", backend="container", timeout=8,
            output_dir=tmp_path / "out", base=tmp_path,
        )
    )  # fmt: skip
    by_name = {r.name: r for r in report.results}
    assert by_name["inside.ipynb"].status == "passed", by_name["inside.ipynb"].message
    assert by_name["inside.ipynb"].kernel == f"{tag} (imgenv@1)"
    assert (by_name["fail.ipynb"].status, by_name["fail.ipynb"].reason) == ("failed", "cell-error")
    assert (by_name["hang.ipynb"].status, by_name["hang.ipynb"].reason) == ("error", "timeout")
    assert (by_name["crash.ipynb"].status, by_name["crash.ipynb"].reason) == (
        "error",
        "dead-kernel",
    )
    assert "exit status 3" in by_name["crash.ipynb"].message
    saved = (tmp_path / "out" / "nbs" / "inside.ipynb").read_text(encoding="utf-8")
    assert "/usr/bin/python3" in saved and "from the snapshot" in saved and "no network" in saved
    for name in ("inside", "fail", "hang", "crash"):
        label = f"label=envyard.notebook={folder / name}.ipynb"
        assert podman.run("ps", "--all", "--quiet", "--filter", label).stdout.strip() == ""


def test_environment_without_image_is_a_clear_error(tmp_path: Path) -> None:
    write_notebook(tmp_path / "n.ipynb", "pass")
    report = run_session(SessionRequest([tmp_path], backend="container"))
    result = report.results[0]
    assert (result.status, result.reason) == ("error", "environment")
    assert "--backend container runs notebooks in an environment's image" in result.message


def test_pip_requirements_are_a_clear_error_in_containers(tmp_path: Path) -> None:
    from envyard.client import Client

    with Client() as client:
        client.environments.create({"name": "imgenv", "image": "localhost/none:1"})
    (tmp_path / "notebooks.yaml").write_text("pip: [requests==2.32.3]\n", encoding="utf-8")
    write_notebook(tmp_path / "n.ipynb", "import requests")
    report = run_session(
        SessionRequest([tmp_path], environment="imgenv", backend="container", base=tmp_path)
    )
    result = report.results[0]
    assert (result.status, result.reason) == ("error", "environment")
    assert "n.ipynb asks for pip requirements (requests==2.32.3)" in result.message
    assert "without a network" in result.message
