"""Job validation before anything runs: every template reference is checked statically."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from envyard.errors import SpecError
from envyard.jobs.load import LoadedJob, load_job


def load(tmp_path: Path, text: str) -> LoadedJob:
    path = tmp_path / "job.yaml"
    path.write_text(textwrap.dedent(text))
    return load_job(path)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            """
            prerequisites:
              - name: d
                type: data
                location: x
                callbacks: [{event: containerStart, commands: ["echo <% this.parameters.loc %>"]}]
            taskRoles: {r: {prerequisites: [d], commands: [echo]}}
            """,
            "prerequisite 'd' has no parameter 'loc' (hint: its parameters: location)",
        ),
        (
            "taskRoles: {r: {commands: ['echo <% this.uri %>']}}",
            "'this' only exists in a prerequisite's callbacks",
        ),
        (
            "taskRoles: {r: {commands: ['echo <% $parameters.x']}}",
            "is never closed",
        ),
        (
            "secrets: {a: b}\ntaskRoles: {r: {commands: ['echo <% $secrets.c %>']}}",
            "'$secrets.c' is not defined (hint: add 'c' under `secrets`)",
        ),
        (
            "taskRoles: {r: {commands: ['echo <% os.system(1) %>']}}",
            "expressions are not evaluated",
        ),
    ],
)
def test_reference_errors_are_located(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(SpecError) as info:
        load(tmp_path, "protocolVersion: 2\nname: j\n" + textwrap.dedent(body))
    text = str(info.value)
    assert message in text
    assert "job.yaml:" in text


def test_references_openpai_leaves_as_written_are_warnings(tmp_path: Path) -> None:
    """OpenPAI accepts these and keeps the reference in the command: a warning here."""
    loaded = load(
        tmp_path,
        "protocolVersion: 2\nname: j\n"
        "taskRoles: {r: {commands: ['echo <% $data.uri[0] %> <% $parameters.p %>']}}\n",
    )
    messages = [w.message for w in loaded.warnings]
    assert any("this task role has no `data:` prerequisite" in m for m in messages)
    assert any("'$parameters.p' is not defined" in m for m in messages)


def test_old_style_job_is_valid(tmp_path: Path) -> None:
    load(
        tmp_path,
        """
        protocolVersion: 2
        name: old
        prerequisites:
          - {name: covid_data, type: data, uri: [https://x/y.zip]}
          - {name: img, type: dockerimage, uri: 'openpai/standard:python_3.6'}
        taskRoles:
          taskrole:
            dockerImage: img
            data: covid_data
            commands: ["wget <% $data.uri[0] %>"]
        """,
    )


HOSTILE = [
    "w\ntouch pwned",
    "../../x",
    "-rf",
    "a b",
    "$(touch pwned)",
    "a/b",
    "x\x00",
    "é",
    "x" * 129,
]
PLACES = {
    "job": "name: {n}\ntaskRoles: {{r: {{commands: [echo]}}}}",
    "task role": "name: j\ntaskRoles: {{{n}: {{commands: [echo]}}}}",
    "prerequisite": (
        "name: j\nprerequisites: [{{name: {n}, type: script}}]\n"
        "taskRoles: {{r: {{commands: [echo]}}}}"
    ),
    "deployment": (
        "name: j\ndeployments: [{{name: {n}, taskRoles: {{r: {{preCommands: [echo]}}}}}}]\n"
        "taskRoles: {{r: {{commands: [echo]}}}}"
    ),
}


@pytest.mark.parametrize("place", sorted(PLACES))
@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_refused_in_one_line(tmp_path: Path, place: str, name: str) -> None:
    """Names become run-directory files, log names, shell words and comment lines."""
    quoted = '"' + name.encode("unicode_escape").decode().replace('"', '\\"') + '"'
    with pytest.raises(SpecError) as info:
        load(tmp_path, "protocolVersion: 2\n" + PLACES[place].format(n=quoted) + "\n")
    for diagnostic in info.value.diagnostics:
        assert "\n" not in diagnostic.render()
    assert "job.yaml:" in str(info.value)


def test_validate_reports_every_problem_at_once() -> None:
    case = Path(__file__).parents[1] / "scenarios" / "jobs" / "validate-all-at-once" / "bad.yaml"
    with pytest.raises(SpecError) as info:
        load_job(case)
    text = str(info.value)
    for expected in (
        "prerequisites[0].uri: a data prerequisite's uri is a list (OpenPAI's schema)",
        "require forms a cycle: a -> b -> a",
        "prerequisite name 'a' is already used by prerequisites[1]",
        "default deployment 'nope' does not exist",
        "taskRoles.r.instances: number 0 is out of range",
        "'$secrets.none' is not defined",
        "'this' only exists in a prerequisite's callbacks",
    ):
        assert expected in text
