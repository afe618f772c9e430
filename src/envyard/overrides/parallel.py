"""Plan a large staging on several CPUs: forked children plan shares of the specs.

Reading, parsing and rewriting thousands of specs is CPU-bound Python. With more than one CPU,
the specs in scope are split into contiguous shares; each forked child plans one share (the
parent plans the first) and sends back its files, and the parent merges them in order. The
merged plan is exactly what one process computes — otherwise the parallel attempt is dropped
and the caller plans in one process:

- on any error in any share (the single-process run then raises the first one, as always);
- when a file is reached from two shares in different ways (named in one, referenced in the
  other: a referenced file never gets fields created), or references were cut at the depth
  limit (then which files are reached depends on the order).

It forks only where ``os.fork`` exists, from a single-threaded process (a forked child has only
the calling thread, and a lock another thread held would stay locked in it), for at least
:data:`MIN_SHARE` specs per process (a fork and the hand-over cost ~10 ms), on at most the CPUs
this process may use; ``ENVYARD_STAGING_PROCESSES`` caps the number (``1``: never fork).
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from envyard.overrides.rules import MISSING, Change, Rule
from envyard.overrides.scope import Item, Primary, Scope
from envyard.overrides.writer import write_files

if TYPE_CHECKING:
    from envyard.overrides.staging import FilePlan

Part = tuple[Scope, list["FilePlan"], set[int]]
Planner = Callable[[Scope, Sequence[Primary], bool], Part]
"""Plans a share into a scope; the flag says whether to free node trees as it goes."""
MIN_SHARE = 150
PARENT_SHARE = 0.9
"""The parent's share relative to a child's: a child also encodes and sends its files while the
parent plans, so that both are done at the same time (the parent then decodes and writes)."""
_MAX_PROCESSES = 8


def processes(count: int) -> int:
    """How many processes to plan ``count`` specs on (1: in this one)."""
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    limit = os.environ.get("ENVYARD_STAGING_PROCESSES", "")
    if limit.isdigit():
        cpus = min(cpus, int(limit))
    return max(1, min(cpus, _MAX_PROCESSES, count // MIN_SHARE))


def plan_shares(
    template: Scope,
    primary: Sequence[Primary],
    rules: tuple[Rule, ...],
    part: Planner,
    count: int,
    *,
    into: Path | None = None,
) -> tuple[Scope, list[FilePlan], set[int], bool] | None:
    """Plan ``primary`` in ``count`` processes with ``part``; None when one process must.

    With ``into``, each process also writes its files there as soon as its share is planned
    (unless it has folders to copy); the last item says whether every one did. Two shares may
    write the same file: then with the same bytes (the merge checks that they planned it alike).
    """
    shares = _split(primary, count)
    children: list[tuple[int, int]] = []
    wrote = False
    received: list[Any] = []
    try:
        try:
            for share in shares[1:]:
                children.append(_fork(template, share, rules, part, into))
            mine: Part | None = part(_fresh(template), shares[0], True)
            wrote = mine is not None and _write(mine[1], into)
        except Exception:  # no fork possible, or an error the single-process run raises again
            mine = None
            _kill(children)  # their results are not needed any more
        else:
            received = [_receive(fd) for _, fd in children]
    except BaseException:
        _kill(children)
        raise
    finally:
        for pid, fd in children:
            os.close(fd)
            os.waitpid(pid, 0)
    if mine is None or any(r is None for r in received):
        return None
    known = {str(path): path for given, real, _ in primary for path in (given, real)}
    parts = [mine, *(_decode(template, r, rules, known) for r in received if r is not None)]
    merged = _merge(template, parts)
    if merged is None:
        return None
    wrote = wrote and all(r is not None and r[-1] for r in received)
    return (*merged, wrote)


def _kill(children: list[tuple[int, int]]) -> None:
    for pid, _ in children:
        os.kill(pid, signal.SIGKILL)


def _write(files: list[FilePlan], into: Path | None) -> bool:
    if into is None or any(f.is_dir for f in files):
        return False
    write_files(str(into), files)
    return True


def _split(primary: Sequence[Primary], count: int) -> list[Sequence[Primary]]:
    """Contiguous shares; the parent's (the first) is :data:`PARENT_SHARE` of a child's."""
    weights = [PARENT_SHARE] + [1.0] * (count - 1)
    total = sum(weights)
    shares, start, acc = [], 0, 0.0
    for weight in weights:
        acc += weight
        end = round(len(primary) * acc / total)
        shares.append(primary[start:end])
        start = end
    return shares


def _fresh(template: Scope) -> Scope:
    return Scope(template.base, template.cwd, template.real_base, pipelines=template.pipelines)


def _fork(
    template: Scope,
    share: Sequence[Primary],
    rules: tuple[Rule, ...],
    part: Planner,
    into: Path | None,
) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        raise
    if pid == 0:  # pragma: no cover - the child (coverage is not collected in it)
        status = 1
        try:
            os.close(read_end)
            try:
                result = part(_fresh(template), share, False)  # freed by the exit
                wrote = _write(result[1], into)
                payload = pickle.dumps((*_encode(result, rules), wrote), protocol=5)
            except BaseException:  # reported as "plan in one process"
                payload = pickle.dumps(None)
            view = memoryview(payload)
            while view:
                view = view[os.write(write_end, view) :]
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _receive(fd: int) -> Any:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    try:
        return pickle.loads(b"".join(chunks))  # noqa: S301 - our own forked child wrote it
    except Exception:  # a child that died half-way
        return None


def _encode(result: Part, rules: tuple[Rule, ...]) -> tuple[Any, ...]:
    scope, files, acted = result
    index = {id(rule): i for i, rule in enumerate(rules)}
    items = [
        (str(i.real), i.rules, i.bom, i.referenced, i.raw, i.is_dir) for i in scope.items.values()
    ]
    given = [(str(g), str(r)) for g, r in scope.given.items()]
    out = []
    for f in files:
        changes = [
            (c.location, c.old is MISSING, _value(c.old), c.new is MISSING, _value(c.new))
            for c in f.changes
        ]
        rule_lines = [(index[id(c.rule)], c.line) for c in f.changes]
        same = f.new_text is not None and f.new_text == f.text
        new_text = None if same else f.new_text
        out.append(
            (
                f.rel_text,
                f.text,
                new_text,
                same,
                f.raw,
                f.is_dir,
                f.bom,
                f.lines,
                changes,
                rule_lines,
            )
        )
    return items, given, out, sorted(acted), scope.truncated


def _value(value: Any) -> Any:
    return None if value is MISSING else value


def _decode(
    template: Scope, payload: tuple[Any, ...], rules: tuple[Rule, ...], known: dict[str, Path]
) -> Part:
    """The child's part as objects (``known``: Path objects the parent has already)."""
    from envyard.overrides.staging import FilePlan

    items, given, files, acted, truncated, _ = payload
    scope = _fresh(template)
    scope.truncated = truncated
    for real_text, use_rules, bom, referenced, raw, is_dir in items:
        real = known.get(real_text) or Path(real_text)
        scope.items[real] = Item(real, use_rules, None, bom, referenced, raw, is_dir)
    for given_text, real_text in given:
        scope.given[known.get(given_text) or Path(given_text)] = known[real_text]
    by_order = sorted(scope.items.values(), key=lambda i: not i.is_dir)
    plans = []
    for item, (rel, text, new_text, same, raw, is_dir, bom, lines, changes, rule_lines) in zip(
        by_order, files, strict=True
    ):
        decoded = [
            Change(loc, MISSING if no_old else old, MISSING if no_new else new, rules[i], line)
            for (loc, no_old, old, no_new, new), (i, line) in zip(changes, rule_lines, strict=True)
        ]
        text_after = text if same else new_text
        plans.append(FilePlan(item.real, rel, text, text_after, raw, is_dir, decoded, bom, lines))
    return scope, plans, set(acted)


def _merge(template: Scope, parts: list[Part]) -> Part | None:
    """The parts as one; None when they do not combine into the single-process result."""
    merged = _fresh(template)
    plans: dict[Path, FilePlan] = {}
    acted: set[int] = set()
    for scope, files, part_acted in parts:
        if scope.truncated:
            return None
        for real, item in scope.items.items():
            known = merged.items.get(real)
            if known is None:
                merged.items[real] = item
            elif (known.referenced, known.rules, known.is_dir) != (
                item.referenced,
                item.rules,
                item.is_dir,
            ):
                return None
        for given, real in scope.given.items():
            merged.given.setdefault(given, real)
        for file in files:
            plans.setdefault(file.real, file)
        acted |= part_acted
    ordered = sorted(merged.items.values(), key=lambda i: not i.is_dir)  # folders first
    return merged, [plans[item.real] for item in ordered], acted
