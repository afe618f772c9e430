"""A submit-time parameter the file neither defines nor uses is most likely a typo: warned
(before, ``-p epoch=5`` for ``epochs`` ran with the file's value and said nothing)."""

from __future__ import annotations

from pathlib import Path

from envyard.jobs.load import load_job
from envyard.jobs.plan import plan_job
from envyard.jobs.resolve import FileCatalogue

JOB = """\
protocolVersion: 2
name: ptest
parameters: {epochs: 3}
taskRoles:
  w:
    commands: ['echo <% $parameters.epochs %> <% $parameters.extra %> <% $parameters.batch-size %>']
"""


def test_only_a_parameter_the_file_neither_defines_nor_uses_is_warned(tmp_path: Path) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(JOB, encoding="utf-8")
    params = {"epoch": "5", "epochs": "4", "extra": "1", "batch-size": "8", "batch": "2"}
    plan = plan_job(load_job(path), FileCatalogue({}, None), params=params)
    assert plan.resolved.warnings == [
        "--param epoch: the job defines no parameter 'epoch' and uses none "
        "(did you mean 'epochs'?)",
        "--param batch: the job defines no parameter 'batch' and uses none",
    ]
