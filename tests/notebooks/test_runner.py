"""The runner on real kernels: the acceptance run (pass, fail, timeout, crash), isolation,
saved notebooks free of injected code, and no kernel process left behind."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from tests.notebooks.helpers import MakeNotebook, kernel_processes, parse_junit, write_notebook

from envyard.notebooks.session import SessionRequest, run_session

pytestmark = pytest.mark.slow


def _four(folder: Path) -> None:
    write_notebook(folder / "pass.ipynb", "x = 1", "assert x == 1")
    write_notebook(folder / "fail.ipynb", "x = 1", "raise ValueError('boom')", "print('never')")
    write_notebook(folder / "hang.ipynb", "import time", "while True:\n    time.sleep(0.05)")
    write_notebook(folder / "crash.ipynb", "import os", "os._exit(7)")


def test_acceptance_four_results_junit_and_no_orphans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = f"EY_NB_TEST={secrets.token_hex(8)}"
    monkeypatch.setenv("EY_NB_TEST", marker.split("=", 1)[1])
    _four(tmp_path / "nbs")
    junit = tmp_path / "junit.xml"
    command = ["nb", "test", "nbs", "--timeout", "4", "-q", "--junit", str(junit)]
    done = subprocess.run(
        [sys.executable, "-m", "envyard", *command, "--workers", "2"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,  # a hang guard only: the run must end once every notebook has a result
        check=False,
    )
    assert done.returncode == 1, done.stderr
    for stray in ("Task exception", "Exception ignored", 'File "/'):  # no errors of the runner
        assert stray not in done.stderr, done.stderr
    assert "    ValueError: boom" in done.stderr  # the cell's traceback, on the console once
    assert done.stderr.count("FAILED nbs/fail.ipynb: cell 2: ValueError: boom") == 1
    root = parse_junit(junit)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert set(cases) == {"pass.ipynb", "fail.ipynb", "hang.ipynb", "crash.ipynb"}
    for case in cases.values():
        assert case.get("classname") == "nbs"
        assert case.get("file") == f"nbs/{case.get('name')}"
        assert float(case.get("time", "-1")) >= 0
    assert list(cases["pass.ipynb"]) == []
    failure = cases["fail.ipynb"].find("failure")
    assert failure is not None and failure.get("type") == "ValueError"
    assert "cell 2:\nraise ValueError('boom')" in (failure.text or "")
    assert "\x1b[" not in (failure.text or "")
    timeout = cases["hang.ipynb"].find("error")
    assert timeout is not None and timeout.get("type") == "timeout"
    assert "KeyboardInterrupt" in (timeout.text or "")  # interrupted before the kill
    crash = cases["crash.ipynb"].find("error")
    assert crash is not None and crash.get("type") == "dead-kernel"
    assert "exit status 7" in (crash.get("message") or "")
    assert root.get("tests") == "4" and root.get("failures") == "1" and root.get("errors") == "2"
    assert kernel_processes(marker) == []


def test_each_notebook_gets_a_fresh_kernel_process(tmp_path: Path) -> None:
    for i in range(4):
        write_notebook(
            tmp_path / f"n{i}.ipynb",
            "import os, random\nprint(os.getpid(), random.random())",
            "assert 'leak' not in globals()\nleak = 1",
        )
    report = run_session(
        SessionRequest([tmp_path], workers=2, output_dir=tmp_path / "out", base=tmp_path)
    )
    assert [r.status for r in report.results] == ["passed"] * 4
    outputs = []
    for result in report.results:
        nb = nbformat.read(result.output or "", as_version=4)
        outputs.append(nb.cells[0].outputs[0]["text"].split())
    pids = {o[0] for o in outputs}
    randoms = {o[1] for o in outputs}
    assert len(pids) == 4 and len(randoms) == 4


def test_kernel_runs_in_the_notebook_snapshot_dir(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    write_notebook(
        tmp_path / "reader.ipynb",
        "import pathlib\nprint(pathlib.Path('data.csv').read_text())",
        "pathlib.Path('written.txt').write_text('x')",
    )
    report = run_session(SessionRequest([tmp_path / "reader.ipynb"], base=tmp_path))
    assert report.results[0].status == "passed", report.results[0].message
    assert not (tmp_path / "written.txt").exists()  # the snapshot, not the user's folder


def test_saved_notebooks_hold_no_injected_code(tmp_path: Path) -> None:
    folder = tmp_path / "nbs"
    write_notebook(
        folder / "p.ipynb", "greeting = 'x'", "print(greeting)", tags={0: ["parameters"]}
    )
    (folder / "notebooks.yaml").write_text(
        "setup: |\n  SETUP_RAN = True\n"
        "teardown: |\n  print('teardown ran')\n"
        "before_cell: |\n  _ey_before = 1\n"
        "after_cell: |\n  _ey_after = 1\n"
        "notebooks:\n  p.ipynb:\n    parameters: {greeting: injected}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    report = run_session(SessionRequest([folder], output_dir=out, base=tmp_path))
    assert report.results[0].status == "passed", report.results[0].message
    saved = nbformat.read(out / "nbs" / "p.ipynb", as_version=4)
    text = nbformat.writes(saved)
    for needle in ("SETUP_RAN", "teardown ran", "_ey_before", "_ey_after", "envyard:injected"):
        assert needle not in text
    parameters = '# Parameters\ngreeting = "injected"\n'  # kept, as papermill keeps it
    assert [c.source for c in saved.cells] == ["greeting = 'x'", parameters, "print(greeting)"]
    assert saved.cells[1].metadata["tags"] == ["injected-parameters"]
    assert saved.cells[2].outputs[0]["text"] == "injected\n"
    assert saved.metadata["papermill"]["parameters"] == {"greeting": "injected"}
    assert saved.metadata["language_info"]["name"] == "python"


def test_raises_exception_and_skip_execution_tags(make_notebook: MakeNotebook) -> None:
    path = make_notebook(
        "tags.ipynb",
        "raise KeyError('expected')",
        "raise SystemError('skipped, never runs')",
        "print('after')",
        tags={0: ["raises-exception"], 1: ["skip-execution"]},
    )
    result = run_session(SessionRequest([path])).results[0]
    assert result.status == "passed", result.message
    assert [c.status for c in result.cells] == ["expected-error", "skipped", "passed"]


def test_teardown_runs_after_a_failing_cell(tmp_path: Path) -> None:
    folder = tmp_path / "nbs"
    write_notebook(folder / "f.ipynb", "raise RuntimeError('first')", "print('not run')")
    marker = tmp_path / "teardown-ran"
    (folder / "notebooks.yaml").write_text(
        f"teardown: |\n  open({str(marker)!r}, 'w').close()\n", encoding="utf-8"
    )
    result = run_session(SessionRequest([folder])).results[0]
    assert result.status == "failed" and result.cell_index == 0
    assert [c.status for c in result.cells] == ["failed", "not-run"]
    assert marker.exists()


def test_cell_timeout_names_the_cell_limit(make_notebook: MakeNotebook) -> None:
    path = make_notebook("slow.ipynb", "x = 1", "import time\ntime.sleep(60)")
    result = run_session(SessionRequest([path], cell_timeout=1, timeout=50)).results[0]
    assert result.status == "error" and result.reason == "timeout"
    assert result.message.startswith("cell timeout: cell 2")  # numbered from 1
    assert [c.status for c in result.cells] == ["passed", "error"]


def test_many_parallel_kernel_starts_do_not_race(tmp_path: Path) -> None:
    for i in range(12):
        write_notebook(tmp_path / f"n{i:02d}.ipynb", f"print({i})")
    report = run_session(SessionRequest([tmp_path], workers=6))
    assert [r.status for r in report.results] == ["passed"] * 12


@pytest.mark.parametrize(("fork", "expected"), [(True, "envyard"), (False, "ipykernel_launcher")])
def test_forked_or_spawned_kernels(tmp_path: Path, fork: bool, expected: str) -> None:
    write_notebook(tmp_path / "a.ipynb", "print(open('/proc/self/cmdline').read())")
    report = run_session(
        SessionRequest([tmp_path], fork=fork, output_dir=tmp_path / "out", base=tmp_path)
    )
    assert report.results[0].status == "passed", report.results[0].message
    saved = nbformat.read(tmp_path / "out" / "a.ipynb", as_version=4)
    assert expected in saved.cells[0].outputs[0]["text"]


_SHELL_STATE = (
    "import os\nip = get_ipython()\n"
    "print(type(ip).__name__, ip.kernel is not None, ip.parent is ip.kernel)\n"
    "print(os.getcwd() == ip.starting_dir == str(_dh[0]), os.environ['TERM'])\n"
    "print(ip.execution_count, len(In))\n"
    "print(ip.displayhook.session is ip.kernel.session, ip.kernel.shell is ip)"
)


def test_a_forked_kernels_prebuilt_shell_is_as_a_spawned_kernels(tmp_path: Path) -> None:
    """The fork server builds the shell before forking (forkprep): in the kernel it must be
    that kernel's, in its working directory, as a shell built by a spawned kernel is."""
    texts = []
    for fork in (True, False):
        folder = tmp_path / str(fork)
        write_notebook(
            folder / "a.ipynb",
            _SHELL_STATE,
            "%%bash\necho from bash",
            "1 + 1",
            "from IPython.display import HTML\nHTML('<b>x</b>')",  # formatters built pre-fork
        )
        out = tmp_path / f"out-{fork}"
        report = run_session(
            SessionRequest([folder], fork=fork, output_dir=out, base=folder)
        )  # fmt: skip
        assert report.results[0].status == "passed", report.results[0].message
        saved = nbformat.read(out / "a.ipynb", as_version=4)
        texts.append([o.get("text") or o.get("data") for c in saved.cells for o in c.outputs])
    assert texts[0] == texts[1]
    assert texts[0][0] == "ZMQInteractiveShell True True\nTrue xterm-color\n1 2\nTrue True\n"


_KERNEL_MODULES = (
    "import sys, ipykernel.ipkernel as ipk\nk = get_ipython().kernel\n"
    "now = {m.__file__ for m in sys.modules.copy().values() if getattr(m, '__file__', None)}\n"
    "print(ipk.sys is sys, ipk.IPythonKernel.__init__.__module__)\n"
    "print(set(k._kernel_modules) <= now, ipk.__file__ in k._kernel_modules)\n"
    "print(len(k._kernel_modules) > 100, all(type(f) is str for f in k._kernel_modules))\n"
    "print(any(f is ipk.__file__ for f in k._kernel_modules))\n"
    "import IPython.core.shellapp as sa\nseen = get_ipython()._sys_modules_keys\n"
    "print(sa.sys is sys, 'init_code' in vars(k.parent), seen <= set(sys.modules))\n"
    "print('ipykernel.kernelapp' in seen, any(n is ipk.__name__ for n in seen))"
)


def test_a_forked_kernel_lists_its_modules_for_the_debugger(tmp_path: Path) -> None:
    """ipykernel lists the modules' files when its kernel is made, IPython the modules' names
    in ``init_code``; forkprep has them read stand-ins made before the fork (new strings, not
    the modules' own), as they would read them, and puts ``sys`` and the methods back."""
    write_notebook(tmp_path / "a.ipynb", _KERNEL_MODULES)
    out = tmp_path / "out"
    report = run_session(SessionRequest([tmp_path], output_dir=out, base=tmp_path))
    assert report.results[0].status == "passed", report.results[0].message
    saved = nbformat.read(out / "a.ipynb", as_version=4)
    assert saved.cells[0].outputs[0]["text"] == (
        "True ipykernel.ipkernel\nTrue True\nTrue True\nFalse\nTrue False True\nTrue False\n"
    )


def test_tracebacks_read_the_same_before_and_after_the_servers_late_warm_up(
    tmp_path: Path,
) -> None:
    """The fork server warms the traceback formatter once idle after its first kernels: a
    kernel forked before it and one forked after format a traceback alike."""
    for i in range(8):
        write_notebook(tmp_path / f"n{i}.ipynb", "def f():\n    raise ValueError('x')", "f()")
    results = run_session(SessionRequest([tmp_path], workers=2)).results
    assert {r.status for r in results} == {"failed"}
    assert "ValueError: x" in results[0].traceback
    assert {r.traceback for r in results} == {results[0].traceback}


def test_per_cell_code_runs_hidden_and_keeps_user_tracebacks(tmp_path: Path) -> None:
    folder = tmp_path / "nbs"
    write_notebook(folder / "count.ipynb", "print(CALLS)", "CALLS", "raise ValueError('mine')")
    (folder / "notebooks.yaml").write_text(
        "setup: CALLS = 0\nbefore_cell: |\n  CALLS += 1\n  print('hidden output')\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = run_session(SessionRequest([folder], output_dir=out, base=tmp_path)).results[0]
    assert (result.status, result.cell_index) == ("failed", 2)
    assert "line 1" in result.traceback and "CALLS" not in result.traceback
    saved = nbformat.read(out / "nbs" / "count.ipynb", as_version=4)
    assert saved.cells[0].outputs[0]["text"] == "1\n"
    assert saved.cells[1].outputs[0]["data"]["text/plain"] == "2"
    assert [c.execution_count for c in saved.cells] == [1, 2, 3]
    assert "hidden output" not in nbformat.writes(saved)


def test_failing_injected_code_names_itself(make_notebook: MakeNotebook, tmp_path: Path) -> None:
    path = make_notebook("x/n.ipynb", "print('a')", "print('b')")
    (path.parent / "notebooks.yaml").write_text("after_cell: assert False, 'guard'\n", "utf-8")
    result = run_session(SessionRequest([path])).results[0]
    assert (result.status, result.cell_index) == ("failed", 0)
    assert result.message == "injected after_cell code failed: AssertionError: guard"
    assert [c.status for c in result.cells] == ["failed", "not-run"]


def test_processes_a_notebook_starts_die_with_its_kernel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = f"EY_NB_CHILD={secrets.token_hex(8)}"
    monkeypatch.setenv("EY_NB_CHILD", marker.split("=", 1)[1])
    write_notebook(
        tmp_path / "spawns.ipynb",
        "import signal, subprocess, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "subprocess.Popen(['sleep', '300'])\ntime.sleep(300)",
    )
    result = run_session(SessionRequest([tmp_path], timeout=2)).results[0]
    assert (result.status, result.reason) == ("error", "timeout")
    assert kernel_processes(marker) == []  # neither the kernel nor its `sleep` child
