"""The data plugin against a real local HTTP server, and local paths."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from tests.prerequisites.helpers import render, run_script, write_job

from envyard.errors import SpecError


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_root(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "served"
    root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def job(uri: str, extra: str = "") -> str:
    return f"""
    protocolVersion: 2
    name: data-job
    prerequisites:
      - name: mnist
        type: data
        plugin: data
        uri: [{uri}]
        {extra}
        callbacks:
          - event: containerStart
            commands: [echo "callback sees $ENVYARD_DATA_MNIST"]
    taskRoles:
      r:
        prerequisites: [mnist]
        commands: ['cat "$ENVYARD_DATA_MNIST"/*']
    """


def test_downloads_over_http_and_checks_the_checksum(
    tmp_path: Path, http_root: tuple[str, Path]
) -> None:
    url, root = http_root
    (root / "train.csv").write_text("a,b\n1,2\n")
    digest = hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    path = write_job(tmp_path, job(f"{url}/train.csv", f"checksum: sha256:{digest}"))
    done = run_script(render(path).script, tmp_path / "w", {"ENVYARD_RUN_DIR": str(tmp_path / "w")})
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"callback sees {tmp_path / 'w'}/data/mnist\na,b\n1,2\n"
    assert "checksum ok" in done.stderr


def test_checksum_mismatch_fails_the_job_naming_the_prerequisite(
    tmp_path: Path, http_root: tuple[str, Path]
) -> None:
    url, root = http_root
    (root / "train.csv").write_text("tampered\n")
    path = write_job(tmp_path, job(f"{url}/train.csv", f"checksum: sha256:{'0' * 64}"))
    done = run_script(render(path).script, tmp_path / "w")
    assert done.returncode == 1
    assert "checksum mismatch" in done.stderr
    assert "prerequisite mnist failed in containerStart" in done.stderr
    assert done.stdout == ""  # neither the callback nor the commands ran


def test_missing_url_fails(tmp_path: Path, http_root: tuple[str, Path]) -> None:
    url, _ = http_root
    path = write_job(tmp_path, job(f"{url}/nope.csv"))
    done = run_script(render(path).script, tmp_path / "w")
    assert done.returncode != 0
    assert "prerequisite mnist failed" in done.stderr


def test_local_path_relative_to_the_job_file(tmp_path: Path) -> None:
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "x.txt").write_text("local data\n")
    path = write_job(tmp_path, job("datasets/x.txt"))
    done = run_script(render(path).script, tmp_path / "w")
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("local data\n")


def test_local_path_may_not_leave_the_job_folder(tmp_path: Path) -> None:
    (tmp_path / "jobs").mkdir()
    path = write_job(tmp_path / "jobs", job("../../etc/passwd"))
    with pytest.raises(SpecError, match="leaves the job's folder"):
        render(path)


def test_links_inside_a_folder_are_copied_as_their_targets(tmp_path: Path) -> None:
    folder = tmp_path / "datasets"
    (folder / "real").mkdir(parents=True)
    (folder / "real" / "x.txt").write_text("inside\n")
    (folder / "alias.txt").symlink_to("real/x.txt")
    path = write_job(tmp_path, job("datasets"))
    done = run_script(
        render(path).script.replace('cat "$ENVYARD_DATA_MNIST"/*', "x"), tmp_path / "w"
    )
    assert done.returncode != 3, done.stderr
    copied = tmp_path / "w" / "data" / "mnist" / "datasets" / "alias.txt"
    assert copied.read_text() == "inside\n"
    assert not copied.is_symlink()


@pytest.mark.parametrize("target", ["/etc/passwd", "../../secret.txt"])
def test_a_link_leaving_the_folder_is_refused_with_its_place(tmp_path: Path, target: str) -> None:
    (tmp_path / "secret.txt").write_text("outside\n")
    folder = tmp_path / "datasets"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "leak").symlink_to(target)
    path = write_job(tmp_path, job("datasets"))
    with pytest.raises(SpecError) as info:
        render(path)
    text = str(info.value)
    assert "job.yaml:" in text
    assert f"holds a symbolic link sub/leak -> {target} that leaves the folder" in text


@pytest.mark.parametrize(
    ("uri", "extra", "message"),
    [
        ("ftp://x/y", "", "unsupported scheme 'ftp'"),
        ("https://x/y", "checksum: md5:abc", "is not sha256:<64 hex>"),
        ("https://x/a, https://x/b", "checksum: sha256:" + "0" * 64, "one checksum per uri"),
        ("https://x/y", "dest: /etc", "must be a relative path"),
    ],
)
def test_bad_parameters(tmp_path: Path, uri: str, extra: str, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        render(write_job(tmp_path, job(uri, extra)))
