"""`envyard demo`: the whole flow on embedded defaults, in a temporary workspace.

Each step prints one readable line saying what happened; the summary names every capability
with its result. Steps are plain functions of a shared `Workspace`.

``runner`` (the steps in order, one line each, the summary), ``steps`` (one function per
capability), ``serve`` (the last step: the API and web UI on the demo's metastore).
"""

from envyard.demo.runner import StepResult, Workspace, run_demo

__all__ = ["StepResult", "Workspace", "run_demo"]
