"""A value from outside the file inside code another program parses (``python3 -c "..."``,
``awk``, ``ssh``) reaches it as the text ``${VAR}``: rendering warns at the command's line
(before, the job ran with the wrong value and said nothing)."""

from __future__ import annotations

from pathlib import Path

from tests.prerequisites.helpers import render, run_script, write_job

JOB = """\
protocolVersion: 2
name: unexpanded
secrets: {token: abc123tok}
taskRoles:
  w:
    commands:
      - echo "plain <% $secrets.token %>"
      - bash -c "echo shell <% $secrets.token %>"
      - python3 -c "tok='<% $secrets.token %>'; print(tok == 'abc123tok')"
      - echo 7 | awk "{ print <% $secrets.token %> }"
      - ssh -o BatchMode=yes nowhere "echo <% $secrets.token %>" || true
"""


def test_each_reference_that_will_not_expand_is_a_located_warning(tmp_path: Path) -> None:
    boot = render(write_job(tmp_path, JOB))
    found = {(w.line, w.field): w for w in boot.warnings}
    assert sorted(found) == [
        (9, "taskRoles.w.commands[2]"),
        (10, "taskRoles.w.commands[3]"),
        (11, "taskRoles.w.commands[4]"),
    ], [w.render() for w in boot.warnings]
    python = found[(9, "taskRoles.w.commands[2]")]
    assert python.severity == "warning"
    assert "python3 gets the text ${ENVYARD_SECRET_TOKEN} instead of the value" in python.message
    assert python.hint is not None and "os.environ['ENVYARD_SECRET_TOKEN']" in python.hint
    assert "remote shell" in found[(11, "taskRoles.w.commands[4]")].message


def test_the_warning_says_what_happens(tmp_path: Path) -> None:
    """What the warning describes is what runs: python gets the reference, the shell the value."""
    boot = render(write_job(tmp_path, JOB))
    done = run_script(boot.script, tmp_path / "w", {"ENVYARD_SECRET_TOKEN": "abc123tok"})
    lines = done.stdout.splitlines()
    assert lines[:4] == ["plain abc123tok", "shell abc123tok", "False", "${ENVYARD_SECRET_TOKEN}"]
