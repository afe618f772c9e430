"""The demo's steps, one per capability, each returning its one-line result."""

from __future__ import annotations

from envyard.demo.runner import Step, Workspace


def validate_specs(ws: Workspace) -> str:
    from envyard.errors import SpecError
    from envyard.spec.validation import validate_paths

    report = validate_paths([ws.examples])
    if report.errors:
        raise SpecError(report.errors)
    return report.summary()


STEPS: list[tuple[str, Step]] = [
    ("specs", validate_specs),
]
