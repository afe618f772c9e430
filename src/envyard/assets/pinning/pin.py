"""Resolve the build-file tags of assets (concurrently, one cache per run) and write pinned copies.

Tags whose source is not configured (no registry for the image's host, no package index) are
*skipped*, never guessed: they stay in the files, are listed in the lock file with the reason,
and are reported. Every failed lookup is reported with the file:line:col of its tag.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from envyard.assets.config import AssetSettings
from envyard.assets.discovery.confine import refuse_escapes
from envyard.assets.discovery.model import Asset
from envyard.assets.discovery.paths import release_files
from envyard.assets.fsutil import content_hash, shown
from envyard.assets.pinning.lock import LockEntry, LockFile
from envyard.assets.resolvers.base import Resolution, ResolveContext, Resolver, load_resolvers
from envyard.assets.tags.http import HttpSession
from envyard.assets.tags.scan import Tag, scan
from envyard.atomicfile import write_atomic
from envyard.errors import ConflictError, Diagnostic, EnvyardError, ResolveError, SpecError


class ResolveFailedError(ResolveError):
    """One or more tags could not be resolved; one line per tag, with file:line:col."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(d.render() for d in diagnostics))

    def __str__(self) -> str:
        return self.message


@dataclass
class PinResult:
    asset: Asset
    texts: dict[Path, str] = field(default_factory=dict)
    entries: list[LockEntry] = field(default_factory=list)

    @property
    def skipped(self) -> list[LockEntry]:
        return [e for e in self.entries if e.status == "skipped"]

    def lock(self, settings: AssetSettings, *, version: str | None = None) -> LockFile:
        files = release_files(self.asset, lock_file=settings.lock_file)
        return LockFile(
            asset=self.asset.name,
            type=self.asset.type,
            version=version if version is not None else self.asset.version,
            source_hash=source_hash(self.asset, files),
            files=[self.asset.rel(f) for f in files],
            entries=self.entries,
        )


def source_hash(asset: Asset, files: list[Path]) -> str:
    return content_hash((asset.rel(f), f) for f in files)


@dataclass
class _Job:
    result: PinResult
    path: Path
    tag: Tag
    resolver: Resolver


async def _collect(assets: list[Asset], ctx: ResolveContext) -> tuple[list[PinResult], list[_Job]]:
    resolvers = load_resolvers()
    results: list[PinResult] = []
    jobs: list[_Job] = []
    problems: list[Diagnostic] = []
    for asset in assets:
        result = PinResult(asset)
        results.append(result)
        for path in asset.template_files():
            if not path.is_file():
                continue  # skipped, as azureml-assets skips it (validate warns: AST022)
            text = path.read_text(encoding="utf-8")
            result.texts[path] = text
            try:
                for tag in scan(text, shown(path)):
                    resolver = resolvers.get(tag.name)
                    if resolver is None:
                        known = ", ".join("{{" + n + "}}" for n in sorted(resolvers))
                        problems.append(
                            tag.diagnostic(f"unknown tag {tag.text}", f"build-file tags: {known}")
                        )
                        continue
                    jobs.append(_Job(result, path, tag, resolver))
            except SpecError as exc:
                problems.extend(exc.diagnostics)
    if problems:
        raise ResolveFailedError(problems)
    return results, jobs


async def _run(job: _Job, ctx: ResolveContext) -> tuple[_Job, Resolution | str | Diagnostic]:
    try:
        reason = job.resolver.skip_reason(job.tag, ctx)
        if reason is not None:
            return job, reason
        return job, await job.resolver.resolve(job.tag, ctx)
    except SpecError as exc:
        return job, exc.diagnostics[0]
    except EnvyardError as exc:
        return job, job.tag.diagnostic(exc.message, exc.hint)


def _entry(job: _Job, outcome: Resolution | str) -> LockEntry:
    # relative to the asset folder; a build context elsewhere in the repository (the
    # reference's ``context.dir: ../src/context``) gives ``../``: confined by refuse_escapes
    rel = Path(os.path.relpath(job.path, job.result.asset.dir)).as_posix()
    tag = job.tag
    kind = job.resolver.kind
    if isinstance(outcome, str):
        subject = job.resolver.subject(tag)
        return LockEntry(
            file=rel,
            line=tag.line,
            col=tag.col,
            tag=tag.text,
            kind=kind,
            subject=subject,
            status="skipped",
            reason=outcome,
        )
    return LockEntry(
        file=rel,
        line=tag.line,
        col=tag.col,
        tag=tag.text,
        kind=kind,
        subject=outcome.subject,
        status="resolved",
        value=outcome.value,
        digest=outcome.digest,
        source=outcome.source,
    )


def _apply(result: PinResult, done: list[tuple[_Job, Resolution]]) -> None:
    by_file: dict[Path, list[tuple[_Job, Resolution]]] = {}
    for job, res in done:
        by_file.setdefault(job.path, []).append((job, res))
    for path, items in by_file.items():
        text = result.texts[path]
        for job, res in sorted(items, key=lambda item: item[0].tag.start, reverse=True):
            start = job.tag.start
            value = res.value
            if res.at_digest and start > 0 and text[start - 1] == ":":
                start -= 1
                value = f"@{res.value}"
            text = text[:start] + value + text[job.tag.end :]
        result.texts[path] = text


async def pin_assets(
    assets: list[Asset],
    settings: AssetSettings,
    *,
    online: bool = False,
    session: HttpSession | None = None,
    on_asset: Callable[[PinResult], None] | None = None,
) -> list[PinResult]:
    """Resolve every tag of ``assets``; raises ResolveFailedError listing every failed tag,
    and a SpecError before reading anything when a path leads outside the repository."""
    refuse_escapes(assets)
    own = session is None
    http = session or HttpSession(
        concurrency=settings.concurrency, retries=settings.retries, timeout=settings.timeout
    )
    try:
        ctx = ResolveContext(settings, http, online=online)
        results, jobs = await _collect(assets, ctx)
        outcomes = await asyncio.gather(*(_run(job, ctx) for job in jobs))
    finally:
        if own:
            await http.aclose()
    failures = [o for _, o in outcomes if isinstance(o, Diagnostic)]
    if failures:
        raise ResolveFailedError(sorted(failures, key=lambda d: (d.file, d.line, d.col)))
    for result in results:
        mine = [(j, o) for j, o in outcomes if j.result is result]
        result.entries = [_entry(j, o) for j, o in mine if not isinstance(o, Diagnostic)]
        _apply(result, [(j, o) for j, o in mine if isinstance(o, Resolution)])
        if on_asset is not None:
            on_asset(result)
    return results


def write_pinned(result: PinResult, out: Path, settings: AssetSettings) -> LockFile:
    """Copy the build context to ``out`` with tags resolved, plus the lock file."""
    asset = result.asset
    context = asset.context_dir
    if context is None or not context.is_dir():
        raise SpecError.at(asset.doc.file, f"asset '{asset.name}' has no build context to pin")
    if out.exists() and any(out.iterdir()):
        if not (out / settings.lock_file).is_file():
            raise ConflictError(
                f"output folder {out} is not empty and holds no earlier pin",
                hint="pick an empty or new folder",
            )
        shutil.rmtree(out)
    shutil.copytree(context, out, dirs_exist_ok=True)
    for path, text in result.texts.items():
        rel = path.resolve().relative_to(context.resolve())
        write_atomic(out / rel, text)
    lock = result.lock(settings)
    lock.write(out / settings.lock_file)
    return lock
