"""The collection side of ``pytest --envyard-nb``: registered by :mod:`pytest_plugin` only
when the flag is given, so pytest runs without it never import nbclient.

``pytest --envyard-nb``: every collected ``.ipynb`` is a test, run like ``envyard nb test``.

Enable with the entry point (``pytest11: envyard_nb = envyard.notebooks.pytest_plugin``) or
``-p envyard.notebooks.pytest_plugin``. Options: ``--envyard-nb-workers`` (kernels in parallel
inside one pytest process), ``--envyard-nb-env NAME[@VER]``, ``--envyard-nb-timeout`` and
``--envyard-nb-output-dir``. Settings files (``notebooks.yaml``, ``release.json``) apply as
with the CLI.

Without xdist, all collected notebooks are submitted when collection finishes, so they run on
the warm kernel pool while pytest reports them in order. Ctrl-C behaves as pytest's: the session
stops (exit 2, "KeyboardInterrupt"), nothing else starts, the running kernels are killed, and
every kernel is gone when pytest exits. Under xdist each worker runs the
notebooks it is given one at a time (its kernels still come from a fork server).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from envyard.notebooks.config import Overrides
from envyard.notebooks.discover import Found
from envyard.notebooks.job import Job, RunOptions
from envyard.notebooks.plan import plan_one
from envyard.notebooks.results import NotebookResult, cell_label
from envyard.notebooks.runner import Runner


class _Service:
    """An event loop in a thread that owns a :class:`Runner` for the whole session."""

    def __init__(self, options: RunOptions) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True, name="envyard-nb")
        self.thread.start()
        self.runner = self._call(self._make(options))

    async def _make(self, options: RunOptions) -> Runner:
        return Runner(options)

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def submit(self, jobs: list[Job]) -> list[concurrent.futures.Future[NotebookResult]]:
        futures: list[concurrent.futures.Future[NotebookResult]] = [
            concurrent.futures.Future() for _ in jobs
        ]

        async def run() -> None:
            try:
                results = await self.runner.run(jobs)
            except BaseException as exc:
                for future in futures:
                    if not future.done():
                        future.set_exception(exc)
                raise
            for future, result in zip(futures, results, strict=True):
                future.set_result(result)

        asyncio.run_coroutine_threadsafe(run(), self.loop)
        return futures

    def interrupt(self) -> None:
        """Ctrl-C: stop scheduling and kill the kernels now (pytest reports no result of an
        interrupted session, so there is nothing to wait for)."""

        def stop() -> None:
            self.runner.interrupt()
            self.runner.kill_now()

        self.loop.call_soon_threadsafe(stop)

    def close(self) -> None:
        try:
            self._call(self.runner.close())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=10)
            self.loop.close()


class NotebookTestError(Exception):
    def __init__(self, result: NotebookResult) -> None:
        super().__init__(result.message)
        self.result = result


class NotebookItem(pytest.Item):
    def __init__(self, *, job: Job | NotebookResult, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.job = job
        self.future: concurrent.futures.Future[NotebookResult] | None = None

    def runtest(self) -> None:
        result = self.job if isinstance(self.job, NotebookResult) else None
        if result is None:
            plugin = self.config.pluginmanager.get_plugin("envyard-nb-state")
            if not isinstance(plugin, _State):  # pragma: no cover - registered in configure
                raise RuntimeError("envyard-nb plugin state is missing")
            if self.future is None:
                self.future = plugin.service().submit([self.job])[0]  # type: ignore[list-item]
            try:
                result = self.future.result()
            except KeyboardInterrupt:  # pytest stops the session; the kernels stop with it
                plugin.service().interrupt()
                raise
        if result.status == "skipped":
            pytest.skip(result.message)
        if result.status in ("failed", "error"):
            raise NotebookTestError(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, NotebookTestError):
            r = excinfo.value.result
            lines = [f"{r.path}: {r.status} ({r.reason}): {r.message}"]
            if r.cell_index is not None:
                lines += [f"{cell_label(r.cell_index)}:", r.cell_source.rstrip()]
            if r.traceback:
                lines += ["", r.traceback]
            if r.kernel_log:
                lines += ["", "kernel log:", r.kernel_log]
            return "\n".join(lines)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"notebook: {self.name}"


class NotebookFile(pytest.File):
    def collect(self) -> Iterator[NotebookItem]:
        config = self.config
        overrides = Overrides(
            environment=config.getoption("--envyard-nb-env"),
            timeout=config.getoption("--envyard-nb-timeout"),
        )
        job = plan_one(0, Found(Path(self.path).resolve()), overrides, Path(config.rootpath))
        item = NotebookItem.from_parent(self, name=self.path.name, job=job)
        if isinstance(job, NotebookResult) and job.status == "skipped":
            item.add_marker(pytest.mark.skip(reason=job.message))  # reported at the notebook
        yield item


class _State:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self._service: _Service | None = None

    def service(self) -> _Service:
        if self._service is None:
            output = self.config.getoption("--envyard-nb-output-dir")
            xdist = hasattr(self.config, "workerinput")
            options = RunOptions(
                workers=1 if xdist else max(1, self.config.getoption("--envyard-nb-workers")),
                output_dir=Path(output) if output else None,
            )
            self._service = _Service(options)
        return self._service

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if hasattr(self.config, "workerinput"):
            return  # xdist decides what this worker runs; submit one by one
        items = [i for i in session.items if isinstance(i, NotebookItem) and isinstance(i.job, Job)]
        if items:
            futures = self.service().submit([i.job for i in items])  # type: ignore[misc]
            for item, future in zip(items, futures, strict=True):
                item.future = future

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self._service is not None:
            self._service.close()
            self._service = None


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--envyard-nb", default=False):
        config.pluginmanager.register(_State(config), "envyard-nb-state")


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> NotebookFile | None:
    if file_path.suffix == ".ipynb" and parent.config.getoption("--envyard-nb", default=False):
        if ".ipynb_checkpoints" in file_path.parts:
            return None
        return NotebookFile.from_parent(parent, path=file_path)
    return None
