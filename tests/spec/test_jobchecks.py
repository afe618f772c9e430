from __future__ import annotations

from envyard.spec.job import JobSpec
from envyard.spec.jobchecks import check_job
from envyard.spec.loader import load_data


def _job(prerequisite: dict[str, object]) -> JobSpec:
    spec = load_data(
        {
            "protocolVersion": 2,
            "name": "j",
            "prerequisites": [prerequisite],
            "taskRoles": {"w": {"prerequisites": ["d"], "commands": ["true"]}},
        },
        "job",
    ).model
    assert isinstance(spec, JobSpec)
    return spec


def test_misspelt_protocol_fields_are_warned_about() -> None:
    findings = check_job(_job({"name": "d", "type": "data", "requires": [], "mountPath": "/m"}))
    assert [(f.path, f.severity) for f in findings] == [
        (("prerequisites", 0, "requires"), "warning")
    ]
    assert "looks like 'require'" in findings[0].message


def test_plain_free_parameters_are_quiet() -> None:
    assert check_job(_job({"name": "d", "type": "data", "location": "x", "sha256": "ab"})) == []
