"""The container backend with podman: a busybox image built here, network none."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.backends.helpers import submission

from envyard.backends.container import CONTAINERS_CONF, ContainerBackend, ContainerHandle
from envyard.backends.container import remove_containers as remove
from envyard.errors import ConfigError, ExecutionError

pytestmark = pytest.mark.slow
IMAGE = "localhost/envyard-test-busybox:1"


def _rootfs() -> bytes:
    busybox = Path("/bin/busybox")
    applets = subprocess.run(
        [str(busybox), "--list"], capture_output=True, text=True, check=True
    ).stdout.split()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for folder in ("bin", "tmp", "envyard"):
            info = tarfile.TarInfo(folder)
            info.type, info.mode = tarfile.DIRTYPE, 0o1777 if folder == "tmp" else 0o755
            tar.addfile(info)
        tar.add(str(busybox), "bin/busybox")
        for applet in applets:
            if applet != "busybox":
                link = tarfile.TarInfo(f"bin/{applet}")
                link.type, link.linkname = tarfile.SYMTYPE, "busybox"
                tar.addfile(link)
    return out.getvalue()


@pytest.fixture(scope="session")
def podman_image(tmp_path_factory: pytest.TempPathFactory) -> str:
    podman = shutil.which("podman")
    if podman is None or not Path("/bin/busybox").exists():
        pytest.skip("podman or busybox-static is not installed (apt-get install podman runc "
                    "busybox-static)")  # fmt: skip
    home = tmp_path_factory.mktemp("podman-home")
    conf = home / "containers.conf"
    conf.write_text(CONTAINERS_CONF)
    env = {**os.environ, "CONTAINERS_CONF": str(conf)}
    tar = home / "rootfs.tar"
    tar.write_bytes(_rootfs())
    done = subprocess.run(
        [podman, "import", str(tar), IMAGE], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        pytest.skip(f"podman cannot import images here: {done.stderr.strip()}")
    probe = subprocess.run(
        [podman, "run", "--rm", "--network", "none", IMAGE, "true"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if probe.returncode != 0:
        pytest.skip(f"podman cannot run containers here: {probe.stderr.strip()}")
    return IMAGE


@pytest.fixture
def handles() -> Iterator[list[ContainerHandle]]:
    made: list[ContainerHandle] = []
    yield made
    for handle in made:
        remove(handle)


JOB = f"""
protocolVersion: 2
name: in-container
secrets: {{token: container-secret}}
prerequisites:
  - {{name: image, type: dockerimage, uri: "{IMAGE}"}}
  - name: prep
    type: script
    callbacks:
      - {{event: containerStart, commands: ["echo prepared"]}}
      - {{event: containerExit, commands: ["echo released"]}}
taskRoles:
  worker:
    instances: 2
    dockerImage: image
    prerequisites: [prep]
    commands:
      - echo "index $ENVYARD_TASK_INDEX/$ENVYARD_TASK_COUNT in $PWD token <% $secrets.token %>"
      - echo "interfaces $(ls /sys/class/net | tr '\\n' ' ')"
      - echo done > result.txt
"""


def test_instances_run_in_the_image_without_network(
    tmp_path: Path, podman_image: str, handles: list[ContainerHandle]
) -> None:
    sub = submission(tmp_path, JOB)
    backend = ContainerBackend()
    handle = backend.submit(sub)
    handles.append(handle)
    status = handle.wait(timeout=120)
    logs = handle.logs()
    assert status.state == "succeeded", logs
    for index in (0, 1):
        assert f"worker[{index}] prepared" in logs
        assert f"worker[{index}] index {index}/2 in /envyard/work token ***" in logs
        assert f"worker[{index}] interfaces lo " in logs  # --network none: loopback only
        assert f"worker[{index}] released" in logs
        assert (sub.run_dir / "work" / f"worker-{index}" / "result.txt").read_text() == "done\n"
    assert "container-secret" not in logs


def test_cancel_runs_exit_callbacks(
    tmp_path: Path, podman_image: str, handles: list[ContainerHandle]
) -> None:
    sub = submission(
        tmp_path,
        f"""
        protocolVersion: 2
        name: cancelled
        prerequisites:
          - {{name: image, type: dockerimage, uri: "{IMAGE}"}}
          - name: cleanup
            type: script
            callbacks: [{{event: containerExit, commands: ["echo cleaned up"]}}]
        taskRoles:
          r:
            dockerImage: image
            prerequisites: [cleanup]
            commands: ["echo started", "sleep 300", "echo never"]
        """,
    )
    handle = ContainerBackend().submit(sub)
    handles.append(handle)
    deadline = time.monotonic() + 60
    while "started" not in handle.logs():
        assert time.monotonic() < deadline, handle.logs()
        time.sleep(0.2)
    handle.cancel()
    status = handle.wait(timeout=60)
    logs = handle.logs()
    assert status.state == "failed"  # the record says cancelled (see jobs.runs.cancel_run)
    assert "r[0] cleaned up" in logs
    assert "never" not in logs


def test_bridge_network_is_refused() -> None:
    with pytest.raises(ConfigError, match="network 'bridge' is not allowed"):
        ContainerBackend({"network": "bridge"})


def _left(run_id: str) -> list[str]:
    podman = shutil.which("podman") or "podman"
    listed = subprocess.run(
        [podman, "ps", "--all", "--filter", f"label=envyard.run={run_id}",
         "--format", "{{.Names}}"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return listed.stdout.split()


def test_exited_containers_are_removed_and_their_logs_kept(
    tmp_path: Path, podman_image: str, handles: list[ContainerHandle]
) -> None:
    for sub in ("a", "b", "c"):
        (tmp_path / sub).mkdir()
    followed = submission(tmp_path / "a", JOB)
    backend = ContainerBackend()
    handle = backend.submit(followed)
    handles.append(handle)
    assert handle.wait(timeout=120).state == "succeeded"
    assert _left(followed.run_id) == []  # the run ended: its containers are gone
    again = backend.attach(handle.to_dict())  # another process reads the kept logs
    logs = again.logs()
    assert "worker[1] released" in logs
    assert "container-secret" not in logs
    assert again.status().state == "succeeded"
    # a run nobody follows is cleaned up by the next submission
    unfollowed = submission(tmp_path / "b", JOB)
    first = backend.submit(unfollowed)
    handles.append(first)
    deadline = time.monotonic() + 120
    while _left(unfollowed.run_id) and time.monotonic() < deadline:
        states = [first._inspect(c["name"]).get("Status") for c in first.containers]
        if all(s == "exited" for s in states):
            handles.append(backend.submit(submission(tmp_path / "c", JOB)))
            break
        time.sleep(0.5)
    assert _left(unfollowed.run_id) == []
    assert "worker[0] released" in backend.attach(first.to_dict()).logs()


def test_local_data_is_mounted_read_only_at_its_path(
    tmp_path: Path, podman_image: str, handles: list[ContainerHandle]
) -> None:
    """A data prerequisite's local folder is read inside the container (before, only the
    bootstrap and the work folder were mounted: `cp: can't stat` and a failed run)."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.txt").write_text("local data\n", encoding="utf-8")
    sub = submission(
        tmp_path,
        f"""
        protocolVersion: 2
        name: local-data
        prerequisites:
          - {{name: image, type: dockerimage, uri: "{IMAGE}"}}
          - {{name: ds, type: data, plugin: data, uri: [data]}}
        taskRoles:
          w:
            dockerImage: image
            prerequisites: [ds]
            commands:
              - cat "$ENVYARD_DATA_DS/data/a.txt"
              - touch {data}/written || echo read-only
        """,
    )
    assert sub.roles["w"].host_paths == (str(data),)
    handle = ContainerBackend().submit(sub)
    handles.append(handle)
    status = handle.wait(timeout=120)
    logs = handle.logs()
    assert status.state == "succeeded", logs
    assert "w[0] local data" in logs and "w[0] read-only" in logs, logs
    assert not (data / "written").exists()


def test_an_image_that_cannot_be_pulled_is_one_readable_error_line(
    tmp_path: Path, podman_image: str
) -> None:
    sub = submission(
        tmp_path,
        """
        protocolVersion: 2
        name: no-image
        taskRoles:
          r: {dockerImage: "localhost:1/envyard-missing:1", commands: ["true"]}
        """,
    )
    with pytest.raises(ExecutionError) as info:
        ContainerBackend().submit(sub)
    text = str(info.value)
    assert "starting container" in text and "failed: " in text
    assert "\\\\n" not in text and "\\n" not in text, text  # no escaped engine line breaks


def test_stdout_and_stderr_keep_their_order(
    tmp_path: Path, podman_image: str, handles: list[ContainerHandle]
) -> None:
    """Before, an instance's stderr lines all came after its stdout lines."""
    sub = submission(
        tmp_path,
        f"""
        protocolVersion: 2
        name: ordered
        taskRoles:
          r:
            dockerImage: "{IMAGE}"
            commands: ["echo out-1", "echo err-2 >&2", "sleep 0.2", "echo out-3"]
        """,
    )
    handle = ContainerBackend().submit(sub)
    handles.append(handle)
    assert handle.wait(timeout=120).state == "succeeded"
    for logs in (handle.logs(), (sub.run_dir / "logs" / "r-0.log").read_text()):
        lines = [line for line in logs.splitlines() if "out-" in line or "err-" in line]
        assert [line.rsplit(" ", 1)[-1] for line in lines] == ["out-1", "err-2", "out-3"], logs


def test_a_local_path_that_cannot_be_mounted_is_refused_in_preflight(tmp_path: Path) -> None:
    data = tmp_path / "a,b"
    data.mkdir()
    sub = submission(
        tmp_path,
        f"""
        protocolVersion: 2
        name: colon
        prerequisites:
          - {{name: ds, type: data, plugin: data, uri: ["a,b"]}}
        taskRoles:
          w: {{dockerImage: "{IMAGE}", prerequisites: [ds], commands: [ls]}}
        """,
    )
    plan = type("Plan", (), {"roles": sub.roles})()
    with pytest.raises(ConfigError, match="cannot be mounted into a container"):
        ContainerBackend().preflight(plan)
