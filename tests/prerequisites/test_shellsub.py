"""The injection test: values from outside the job file never run, in any quoting context.

Every context below is rendered with every payload, as a submit-time parameter and as a
secret, into a real bootstrap, and run with bash with the value in its environment variable.
Nothing may create ``pwned``. Values written in the file are inserted as written (OpenPAI).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from envyard.prerequisites.render import render_bootstrap
from envyard.prerequisites.shellsub import substitute
from envyard.spec.job import JobSpec
from envyard.spec.template import Scope, parse, resolve

PAYLOADS = [
    "$(touch pwned)",
    "`touch pwned`",
    "'; touch pwned; '",
    '"; touch pwned; "',
    "a[$(touch pwned)]",
    "x[`touch pwned`]",
    "$((a[$(touch pwned)]))",
    "1\ntouch pwned",
    "'); __import__('os').system('touch pwned'); ('",
    '"); __import__("os").system("touch pwned"); ("',
    "}; touch pwned; {",
    "x/;e touch pwned;#",
    '" system("touch pwned") "',
    "$'\\x27'; touch pwned",
    "ENVYARD_JOB_NAME[$(touch pwned)]",
    "-c touch pwned",
]
V = "<% $parameters.v %>"
CONTEXTS = [
    f"echo {V}",
    f'echo "{V}"',
    f"echo 'a {V} b'",
    f"echo $'a {V} b'",
    f'echo "$(echo {V})"',
    f'echo "$(echo "x{V}")"',
    f"(echo {V})",
    f"echo `echo {V}`",
    f"bash -lc 'echo {V}'",
    f"bash -o pipefail -c 'echo {V} | cat'",
    f'bash -c "echo {V}"',
    f'sh -c "cd /; echo {V}"',
    f"env A=1 bash -c 'echo {V}'",
    f"trap 'echo {V}' EXIT",
    f'trap "echo {V}" EXIT',
    f"eval echo {V}",
    f'eval "echo {V}"',
    f"(( n = {V} )) || true",
    f"echo $(( {V} + 1 ))",
    f"echo $[ {V} + 1 ]",
    f'X=; echo "${{X:-{V}}}"',
    f"X=; echo ${{X:-{V}}}",
    f'a=(1 2 3); echo "${{a[{V}]}}"',
    f"a=(1 2 3); a[{V}]=4",
    f's=hello; echo "${{s:{V}}}"',
    f'[[ 1 -lt "{V}" ]] || true',
    f"[[ {V} -eq 1 ]] || true",
    f'[[ -v "{V}" ]] || true',
    f'let "n = {V}" || true',
    f"declare -i n={V}",
    f"unset {V} || true",
    f"printf -v {V} %s x || true",
    f"python3 -c \"print('{V}')\"",
    f"python3 -c 'print(\"{V}\")'",
    f'python3 -c "import sys; print(sys.argv[1])" {V}',
    f"echo '{V}' | sed \"s/x/{V}/\"",
    f"echo x | awk '{{print \"{V}\"}}'",
    f'find /dev/null -maxdepth 0 -exec sh -c "echo {V}" \\;',
    f"echo 1 | xargs -I{{}} sh -c 'echo {V} {{}}'",
    f"# it's a comment\necho {V}",
    f"# don't\necho 'x {V}'",
    f"cat <<EOF\n{V}\nEOF",
    f"bash <<EOF\necho {V}\nEOF",
    f"cat <<EOF \\\n| bash\necho {V}\nEOF",  # the line that opens it continues with `\`
    f"cat <<EOF | \\\nbash\necho {V}\nEOF",
    f'export OUT={V}; echo "$OUT"',
    f'case "{V}" in *) echo ok;; esac',
    f'for i in {V}; do echo "$i"; done',
    f"echo ${{#{V}}} || true",
    f"{V} || true",
    f'echo "{V}" | bash',
    f'echo "{V}; true" | sh',
    f"echo {V} | sudo -n env A=1 bash || true",
    f'bash <<< "echo {V}"',
    f'bash <(echo "echo {V}")',
    f"python3 <<< \"print('{V}')\"",
    f"printf '%s\\n' \"{V}\" | python3 || true",
    f'timeout 5 sh -c "echo {V}"',
    f'nohup bash -c "echo {V}" > /dev/null',
    f'su -c "echo {V}" nobody 2>/dev/null || true',
    f'ssh -o BatchMode=yes 127.0.0.9 "echo {V}" 2>/dev/null || true',
]


def _job(kind: str, payload: str, command: str) -> JobSpec:
    data: dict[str, object] = {
        "protocolVersion": 2,
        "name": "inject",
        "taskRoles": {"main": {"commands": [command]}},
    }
    if kind == "secret":
        data["secrets"] = {"v": payload}
        data["taskRoles"] = {"main": {"commands": [command.replace("$parameters", "$secrets")]}}
    else:
        data["parameters"] = {"v": payload}
    return JobSpec.model_validate(data)


def _run(kind: str, payload: str, command: str, work: Path) -> subprocess.CompletedProcess[str]:
    boot = render_bootstrap(_job(kind, payload, command), "main", outside=frozenset({"v"}))
    assert payload not in boot.script or payload in ("-c touch pwned",)
    env = {"PATH": os.environ["PATH"], "HOME": str(work), "LC_ALL": "C", **boot.values}
    env.update(dict.fromkeys(boot.secrets, payload))
    (work / "boot.sh").write_text(boot.script, encoding="utf-8")
    return subprocess.run(
        ["bash", "boot.sh"], cwd=work, env=env, capture_output=True, text=True, timeout=30,
        check=False,
    )  # fmt: skip


@pytest.mark.parametrize("kind", ["parameter", "secret"])
@pytest.mark.parametrize("context", range(len(CONTEXTS)))
def test_outside_values_stay_data(kind: str, context: int, tmp_path: Path) -> None:
    command = CONTEXTS[context]
    for payload in PAYLOADS:
        work = tmp_path / str(PAYLOADS.index(payload))
        work.mkdir()
        done = _run(kind, payload, command, work)
        assert not (work / "pwned").exists(), (command, payload, done.stdout, done.stderr)
        assert done.returncode in (0, 1, 2, 127), (command, payload, done.stderr)


def test_outside_value_reaches_the_command_as_one_word(tmp_path: Path) -> None:
    payload = "two words; $(touch pwned) 'q' \"d\""
    done = _run("parameter", payload, "printf '[%s]' " + V + ' "' + V + '"', tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"[{payload}][{payload}]" in done.stdout


def test_numeric_use_accepts_integers_and_stops_on_anything_else(tmp_path: Path) -> None:
    ok = _run("parameter", "41", f"echo $(( {V} + 1 ))", tmp_path)
    assert "42" in ok.stdout
    (tmp_path / "bad").mkdir()
    bad = _run("parameter", "a[0]", f"echo $(( {V} + 1 ))", tmp_path / "bad")
    assert bad.returncode == 2
    assert "must be a plain integer" in bad.stderr + bad.stdout


def render(template: str, value: str) -> str:
    scope = Scope(parameters={"v": value}, secrets=None)
    return substitute(parse(template), lambda ref: resolve(ref, scope)).text


def test_in_file_values_are_inserted_as_written() -> None:
    """OpenPAI's behaviour: the author wrote both the command and the value."""
    assert render("mpirun <% $parameters.v %> python", "-x A=1 -x B=2") == (
        "mpirun -x A=1 -x B=2 python"
    )
    assert render('echo "dir/<% $parameters.v %>"', "covid19/data") == 'echo "dir/covid19/data"'


def test_in_file_flags_reach_the_command_as_separate_words(tmp_path: Path) -> None:
    job = JobSpec.model_validate(
        {
            "protocolVersion": 2,
            "name": "words",
            "parameters": {"nccl": "-x A=1 -x B=2"},
            "taskRoles": {"main": {"commands": ["printf '[%s]' <% $parameters.nccl %>"]}},
        }
    )
    (tmp_path / "boot.sh").write_text(render_bootstrap(job, "main").script)
    done = subprocess.run(
        ["bash", "boot.sh"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert "[-x][A=1][-x][B=2]" in done.stdout


def test_catalogue_values_are_outside_values(tmp_path: Path) -> None:
    """A prerequisite from the registry catalogue was not written by the job's author."""
    from envyard.spec.job import Prerequisite

    hostile = Prerequisite.model_validate(
        {"name": "shared", "type": "data", "uri": ["$(touch pwned)"], "note": "`touch pwned`"}
    )
    job = JobSpec.model_validate(
        {
            "protocolVersion": 2,
            "name": "uses-catalogue",
            "taskRoles": {
                "main": {
                    "data": "shared",
                    "commands": ["printf '[%s]' <% $data.uri[0] %> \"<% $data.note %>\""],
                }
            },
        }
    )
    boot = render_bootstrap(job, "main", catalogue={"shared": hostile})
    assert "touch pwned" not in boot.script
    assert sorted(boot.values.values()) == ["$(touch pwned)", "`touch pwned`"]
    (tmp_path / "boot.sh").write_text(boot.script)
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), **boot.values}
    done = subprocess.run(
        ["bash", "boot.sh"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert "[$(touch pwned)][`touch pwned`]" in done.stdout, done.stderr
    assert not (tmp_path / "pwned").exists()
