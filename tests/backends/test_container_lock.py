"""The container backend installs the kernel's lock in the image (podman, a Python image)."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.backends.helpers import submission
from tests.launch.conftest import Podman, _busybox_root, _copy_with_libs, podman

from envyard import plugins
from envyard.backends.locks import lock_of
from envyard.spec.environment import Environment
from envyard.testing.plugin import unique_name
from envyard.testing.pypi import PypiIndex

__all__ = ["podman"]  # the fixture, shared with the launch tests

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("podman")]


@pytest.fixture(scope="module")
def job_image(podman: Podman, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """busybox (with rm, for the job bootstrap) + the system python3.11 + uv."""
    import uv

    python = Path("/usr/bin/python3.11")
    if not python.exists():
        pytest.skip("no /usr/bin/python3.11 to put in the test image (apt-get install python3)")
    root = _busybox_root(tmp_path_factory.mktemp("job-image") / "root")
    for applet in ("rm", "cp", "sleep"):
        (root / "bin" / applet).symlink_to("busybox")
    _copy_with_libs(python, root, root / "usr" / "bin" / "python3.11")
    (root / "usr" / "bin" / "python3").symlink_to("python3.11")
    (root / "usr" / "bin" / "python").symlink_to("python3.11")
    _copy_with_libs(Path(uv.find_uv_bin()), root, root / "usr" / "local" / "bin" / "uv")
    ignore = shutil.ignore_patterns("__pycache__", "test", "idlelib", "tkinter", "config-*")
    shutil.copytree("/usr/lib/python3.11", root / "usr" / "lib" / "python3.11", ignore=ignore)
    tag = podman.import_rootfs(root, f"localhost/envyard-jobpy-{secrets.token_hex(4)}:test")
    yield tag
    podman.run("rmi", "--force", tag, check=False)


def test_a_job_container_gets_the_locked_version(
    podman: Podman,
    job_image: str,
    pypi_index: PypiIndex,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONTAINERS_CONF", podman.env["CONTAINERS_CONF"])
    name = unique_name("eyctr").replace("-", "_")
    pypi_index.add_wheel(name, "1.0")
    env = Environment(
        name="locked", image=job_image, kernel=[f"--index-url {pypi_index.url}", name]
    )
    assert lock_of(env) is not None  # locked while 1.0 is the newest (kept for this spec)
    pypi_index.add_wheel(name, "2.0")
    sub = submission(
        tmp_path,
        f"""
        protocolVersion: 2
        name: locked-ctr
        taskRoles:
          main:
            environment: locked
            commands: ["python -c \\"import {name} as p; print('got', p.__version__)\\""]
        """,
        envs=[env],
    )
    backend = plugins.backend("container", "job", {"engine": "podman", "network": "host"})
    handle = backend.submit(sub)
    try:
        status = handle.wait(timeout=240)
        logs = handle.logs()
        assert status.state == "succeeded", logs
        assert "main[0] got 1.0" in logs
        assert (sub.run_dir / "main.requirements.txt").read_text().startswith("--index-url ")
    finally:
        from envyard.backends.container import ContainerHandle, remove_containers

        if isinstance(handle, ContainerHandle):
            remove_containers(handle)
