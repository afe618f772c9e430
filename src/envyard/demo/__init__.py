"""`envyard demo`: the whole flow on embedded defaults, in a temporary workspace.

Each step prints one readable line saying what happened; the summary names every capability
with its result. Steps are plain functions of a shared `Workspace`.
"""

from envyard.demo.runner import StepResult, Workspace, run_demo

__all__ = ["StepResult", "Workspace", "run_demo"]
