"""Kernel start-up: fork server, IPC sockets, start failures, cleanup on close."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import nbformat
import pytest

from envyard.errors import ExecutionError
from envyard.notebooks.choice import KernelChoice, current_python
from envyard.notebooks.kernels import KernelStarter

pytestmark = pytest.mark.slow


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_parallel_starts_use_ipc_and_close_kills_everything(tmp_path: Path) -> None:
    async def go() -> tuple[list[int], list[dict[str, object]]]:
        starter = KernelStarter()
        kernels = await asyncio.gather(
            *(starter.start(current_python(), tmp_path) for _ in range(6))
        )
        pids = [k.km.provisioner.pid for k in kernels]  # type: ignore[union-attr]
        infos = [dict(k.km.get_connection_info()) for k in kernels]
        await starter.close()  # without stopping them first
        return pids, infos

    pids, infos = asyncio.run(go())
    assert len(set(pids)) == 6
    assert all(info["transport"] == "ipc" for info in infos)
    assert len({str(info["ip"]) for info in infos}) == 6  # a private socket folder each
    assert not [pid for pid in pids if _alive(pid)]


def test_a_python_that_cannot_start_a_kernel_is_a_start_error(tmp_path: Path) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'no ipykernel here' >&2\nexit 3\n", encoding="utf-8")
    fake.chmod(0o755)

    async def go() -> None:
        starter = KernelStarter(startup_timeout=10)
        try:
            await starter.start(KernelChoice(python=str(fake)), tmp_path)
        finally:
            await starter.close()

    with pytest.raises(ExecutionError, match="failed to start"):
        asyncio.run(go())


def test_the_kernel_starts_in_the_given_folder_with_the_given_env(tmp_path: Path) -> None:
    async def go() -> str:
        starter = KernelStarter()
        try:
            kernel = await starter.start(current_python(), tmp_path, {"EY_VALUE": "42"})
            out: list[str] = []
            await kernel.kc.execute_interactive(
                "import os; print(os.getcwd(), os.environ['EY_VALUE'])",
                timeout=30,
                output_hook=lambda m: out.append(m["content"].get("text", "")),
            )
            return "".join(out)
        finally:
            await starter.close()

    assert asyncio.run(go()).split() == [str(tmp_path), "42"]
    assert os.environ.get("EY_VALUE") is None  # set in the kernel only


def test_a_non_python_kernelspec_runs_over_tcp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json
    import sys

    from tests.notebooks.helpers import write_notebook

    from envyard.notebooks.session import SessionRequest, run_session

    spec_dir = tmp_path / "jupyter" / "kernels" / "otherlang"
    spec_dir.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel_json = {"argv": argv, "display_name": "Other", "language": "otherlang"}
    (spec_dir / "kernel.json").write_text(json.dumps(kernel_json), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    write_notebook(
        tmp_path / "nb" / "o.ipynb",
        "import json\nfrom ipykernel.connect import get_connection_info\n"
        "print(json.loads(get_connection_info())['transport'])",
        kernel="otherlang",
    )
    out = tmp_path / "out"
    report = run_session(SessionRequest([tmp_path / "nb"], output_dir=out, base=tmp_path))
    result = report.results[0]
    assert result.status == "passed", (result.message, result.traceback)
    assert result.kernel == "otherlang"
    saved = nbformat.read(out / "nb" / "o.ipynb", as_version=4)
    assert saved.cells[0].outputs[0]["text"] == "tcp\n"


def test_kernels_share_one_zmq_context_and_stop_opens_no_channel(tmp_path: Path) -> None:
    async def go() -> None:
        starter = KernelStarter()
        try:
            kernels = await asyncio.gather(
                *(starter.start(current_python(), tmp_path) for _ in range(2))
            )
            contexts = {id(k.kc.context) for k in kernels} | {id(k.km.context) for k in kernels}
            assert contexts == {id(starter._context)}  # one IO thread for every socket
            for kernel in kernels:
                await kernel.stop()
                # only the channels started (shell, iopub) were ever made
                made = [
                    n for n in ("stdin", "hb", "control") if getattr(kernel.kc, f"_{n}_channel")
                ]
                assert made == []
                assert not kernel.kc.shell_channel.is_alive()
        finally:
            await starter.close()

    asyncio.run(go())


def test_a_forked_kernel_announced_by_its_server_gets_no_kernel_info_request(
    tmp_path: Path,
) -> None:
    """The fork server announces what a kernel on its prebuilt shell answers to kernel_info:
    the client takes that (no request on start; the kernel's IOPub greeting says connected),
    and it is what the kernel itself answers. A kernel whose environment differs in what the
    shared set-up read is not announced and gets the kernel_info handshake."""

    async def go() -> tuple[list[object], list[dict[str, object]], list[str]]:
        starter = KernelStarter()
        try:
            plain = await starter.start(current_python(), tmp_path)
            other = await starter.start(
                current_python(), tmp_path, {"IPYTHONDIR": str(tmp_path / "ipython")}
            )
            kernels = [plain, other]
            announced = [k.km.provisioner.announced for k in kernels]  # type: ignore[union-attr]
            replies = []
            for kernel in kernels:
                reply = await kernel.kc.kernel_info(reply=True, timeout=30)
                replies.append(reply["content"])
            out: list[str] = []
            await plain.kc.execute_interactive(
                "print(6 * 7)",
                timeout=30,
                output_hook=lambda m: out.append(m["content"].get("text", "")),
            )
            return announced, [k.info for k in kernels] + replies, out
        finally:
            await starter.close()

    announced, infos, out = asyncio.run(go())
    plain_info, other_info, plain_reply, other_reply = infos
    assert announced[0] is not None and announced[1] is None
    assert plain_info == {"language_info": plain_reply["language_info"]}
    assert other_info["language_info"] == other_reply["language_info"]  # from its handshake
    assert "".join(out) == "42\n"  # IOPub connected: the first cell's output arrives


def test_a_forked_kernels_log_keeps_its_lines_without_debug_records(tmp_path: Path) -> None:
    """The kernel application's logger is at its handler's level (WARNING): debug calls make
    no record, and a warning is still written to the kernel's log."""

    async def go() -> tuple[str, str]:
        starter = KernelStarter()
        try:
            kernel = await starter.start(current_python(), tmp_path)
            out: list[str] = []
            code = (
                "import logging\n"
                "log = logging.getLogger('IPKernelApp')\n"
                "log.debug('a debug line'); log.warning('a warning line')\n"
                "print(logging.getLevelName(log.level), log.isEnabledFor(logging.DEBUG))"
            )
            await kernel.kc.execute_interactive(
                code, timeout=30, output_hook=lambda m: out.append(m["content"].get("text", ""))
            )
            return "".join(out), kernel.log_tail()
        finally:
            await starter.close()

    out, log = asyncio.run(go())
    assert out.split() == ["WARNING", "False"]
    assert "a warning line" in log and "a debug line" not in log
