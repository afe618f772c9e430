"""A shell construct spread over ``commands`` items runs as OpenPAI runs it (the items joined
with newlines); items that are complete commands still stop the job at the first failure."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from envyard.prerequisites.render import render_bootstrap
from envyard.prerequisites.units import _bash_errors, units
from envyard.spec.job import JobSpec


def _job(commands: list[str], **more: object) -> JobSpec:
    data = {"protocolVersion": 2, "name": "split", "taskRoles": {"w": {"commands": commands}}}
    return JobSpec.model_validate(data | more)


def _run(job: JobSpec, work: Path, **env: str) -> subprocess.CompletedProcess[str]:
    boot = render_bootstrap(job, "w")
    (work / "boot.sh").write_text(boot.script, encoding="utf-8")
    return subprocess.run(
        ["bash", "boot.sh"], cwd=work, capture_output=True, text=True, timeout=60, check=False,
        env={"PATH": os.environ["PATH"], "HOME": str(work), "LC_ALL": "C", **env},
    )  # fmt: skip


SPLIT = [  # (commands, environment, what OpenPAI's joined script prints)
    (
        ["cat > hello.py <<EOF", 'print("hello from heredoc")', "EOF", "python3 hello.py"],
        {},
        "hello from heredoc\n",
    ),
    (["echo one \\", "two"], {}, "one two\n"),
    (["echo abc |", "tr a-z A-Z"], {}, "ABC\n"),
    (["true &&", "echo and"], {}, "and\n"),
    (["false ||", "echo or"], {}, "or\n"),
    (['echo "a', 'b"'], {}, "a\nb\n"),
    (["echo 'it", "is'"], {}, "it\nis\n"),
    (['case "$X" in', "worker) echo w;;", "*) echo other;;", "esac"], {"X": "worker"}, "w\n"),
    (["if true; then", "echo yes", "else", "echo no", "fi", "echo after"], {}, "yes\nafter\n"),
    (["for i in 1 2", "do", 'echo "i=$i"', "done"], {}, "i=1\ni=2\n"),
    (["n=0", "while [ $n -lt 2 ]; do", "n=$((n + 1)); echo $n", "done"], {}, "1\n2\n"),
    (["{ echo a", "echo b; } | tr ab AB"], {}, "A\nB\n"),
    (["greet()", "{", "echo hi $1", "}", "greet you"], {}, "hi you\n"),
    (["x=$(echo sub", ")", "echo $x"], {}, "sub\n"),
    (["python3 - <<'PY'", "import sys", "print(sys.version_info[0] >= 3)", "PY"], {}, "True\n"),
    (["cat <<-EOF", "\tindented", "\tEOF"], {}, "indented\n"),
]


@pytest.mark.parametrize("case", range(len(SPLIT)))
def test_a_construct_over_items_runs_as_openpai_runs_it(case: int, tmp_path: Path) -> None:
    commands, env, expected = SPLIT[case]
    done = _run(_job(commands), tmp_path, **env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected
    assert "envyard_rc" not in done.stdout + done.stderr  # no check injected inside a construct
    assert "syntax error" not in done.stderr


def test_the_joined_lines_equal_openpais_script(tmp_path: Path) -> None:
    """Every case above prints the same when its items, joined with newlines, run as a script."""
    for commands, env, expected in SPLIT:
        (tmp_path / "user.sh").write_text("\n".join(commands) + "\n", encoding="utf-8")
        done = subprocess.run(
            ["bash", "user.sh"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
            env={"PATH": os.environ["PATH"], **env}, check=False,
        )  # fmt: skip
        assert done.stdout == expected, commands


@pytest.mark.parametrize(
    "commands",
    [
        ["echo first", "false", "echo never"],
        ["if true; then", "false", "fi", "echo never"],
        ["cat <<EOF", "body", "EOF", "false", "echo never"],
        ["echo a |", "grep -q zzz", "echo never"],
        ["for i in 1", "do false; done", "echo never"],
    ],
)
def test_the_first_failing_command_still_stops_the_job(commands: list[str], tmp_path: Path) -> None:
    done = _run(_job(commands), tmp_path)
    assert done.returncode == 1, done.stderr
    assert "never" not in done.stdout


def test_callback_commands_are_grouped_too(tmp_path: Path) -> None:
    callbacks = [
        {"event": "taskStarts", "commands": ["cat > note.txt <<EOF", "noted", "EOF"]},
        {"event": "taskSucceeds", "commands": ["echo bye |", "tr a-z A-Z"]},
    ]
    job = JobSpec.model_validate(
        {
            "protocolVersion": 2,
            "name": "split",
            "prerequisites": [{"name": "prep", "type": "script", "callbacks": callbacks}],
            "taskRoles": {"w": {"prerequisites": ["prep"], "commands": ["cat note.txt"]}},
        }
    )
    done = _run(job, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "noted\nBYE\n"


def test_in_file_values_in_a_split_construct(tmp_path: Path) -> None:
    job = _job(["cat <<EOF", "epochs=<% $parameters.epochs %>", "EOF"], parameters={"epochs": 3})
    done = _run(job, tmp_path)
    assert (done.returncode, done.stdout) == (0, "epochs=3\n"), done.stderr


@pytest.mark.parametrize(
    ("commands", "printed"),
    [
        (["bash <<EOF", "echo <% $parameters.v %>", "EOF"], "$(touch pwned) x\n"),
        (["echo <% $parameters.v %> |", "bash"], ""),  # bash reads `"${V}"`: a command name
        (['echo "a', '<% $parameters.v %>"'], "a\n$(touch pwned) x\n"),
        (["cat <<'EOF'", "<% $parameters.v %>", "EOF"], '"${ENVYARD_PARAM_V}"\n'),  # as written
    ],
)
def test_an_outside_value_in_a_split_construct_stays_data(
    commands: list[str], printed: str, tmp_path: Path
) -> None:
    """The items are rendered where they land in the joined script, so a value is quoted for
    the construct it is in, also when the construct spans items (before: quoted for its item
    alone, so inside a here-document read by bash it would have run as code)."""
    assert _run_with_outside_value(commands, "$(touch pwned) x", tmp_path) == printed
    assert not (tmp_path / "pwned").exists()


def test_an_outside_value_in_one_item_construct_renders(tmp_path: Path) -> None:
    commands = ["bash <<EOF\necho <% $parameters.v %>\nEOF"]
    assert _run_with_outside_value(commands, "$(touch pwned)", tmp_path) == "$(touch pwned)\n"
    assert not (tmp_path / "pwned").exists()


def _run_with_outside_value(commands: list[str], value: str, work: Path) -> str:
    """What the bootstrap prints when ``$parameters.v`` is given at submission as ``value``."""
    boot = render_bootstrap(_job(commands, parameters={"v": "x"}), "w", outside=frozenset({"v"}))
    (work / "boot.sh").write_text(boot.script, encoding="utf-8")
    env = {"PATH": os.environ["PATH"], "LC_ALL": "C", **dict.fromkeys(boot.values, value)}
    done = subprocess.run(
        ["bash", "boot.sh"], cwd=work, env=env, capture_output=True, text=True, check=False
    )
    return done.stdout


def test_complete_commands_stay_one_unit_each_without_a_process() -> None:
    plain = [
        "echo a",
        'echo "${HOME}" > out',
        "awk '{print $1}' f | sort -u",
        "if [ -d data ]; then rm -r data; fi",
        'for f in *.txt; do wc -l "$f"; done',
        "case $X in a) echo a;; esac",
        "{ echo a; echo b; } > log",
        "echo done; echo fi",
        "python train.py --epochs 3 &",
        "echo a \\ ",
        "# a comment with an open quote: it's",
    ]
    before = _bash_errors.cache_info()
    assert [u.items for u in units(plain)] == [(line,) for line in plain]
    after = _bash_errors.cache_info()
    assert (after.hits, after.misses) == (before.hits, before.misses)


def test_unsure_text_is_decided_by_bash() -> None:
    # `$((1<<2))` looks like a here-document to the quoting lexer; bash -n says it is complete
    def groups(items: list[str]) -> list[tuple[str, ...]]:
        return [u.items for u in units(items)]

    assert groups(["x=$((1<<2))", "echo $x"]) == [("x=$((1<<2))",), ("echo $x",)]
    assert groups(["f()", "{ :; }", "f"]) == [("f()", "{ :; }"), ("f",)]
    assert groups(["fi", "echo a"]) == [("fi",), ("echo a",)]  # an error as written, not joined


@pytest.mark.parametrize(
    ("commands", "expected"),
    [
        (["echo before", "cat <<EOF", "runs to the end"], "before\nruns to the end\n"),
        (["cat <<A; cat <<'B'", "a", "A", "b $HOME"], "a\nb $HOME\n"),
        (["echo before", "echo ends \\"], "before\nends\n"),
    ],
)
def test_the_end_of_the_items_ends_a_construct_as_in_openpai(
    commands: list[str], expected: str, tmp_path: Path
) -> None:
    """A here-document's body runs to the end of OpenPAI's script (bash warns); a trailing
    backslash at the end joins nothing. The bootstrap's own lines after them stay intact."""
    done = _run(_job(commands), tmp_path)
    assert (done.returncode, done.stdout) == (0, expected), done.stderr
    (tmp_path / "user.sh").write_text("\n".join(commands), encoding="utf-8")
    openpai = subprocess.run(
        ["bash", "user.sh"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert openpai.stdout == expected


def test_an_unclosed_quote_at_the_end_fails_there_with_its_items_named(tmp_path: Path) -> None:
    """OpenPAI's script runs the commands before it, then bash fails (exit 2): so does the
    bootstrap, which stays a valid script (its exit callbacks run)."""
    job = JobSpec.model_validate(
        {
            "protocolVersion": 2,
            "name": "split",
            "prerequisites": [
                {
                    "name": "p",
                    "type": "script",
                    "callbacks": [{"event": "containerExit", "commands": ["echo exit ran"]}],
                }
            ],
            "taskRoles": {
                "w": {"prerequisites": ["p"], "commands": ["echo before", 'echo "a', "b"]}
            },
        }
    )
    done = _run(job, tmp_path)
    assert (done.returncode, done.stdout) == (2, "before\nexit ran\n"), done.stderr
    assert "taskRoles.w.commands items 1 to 2" in done.stderr
    assert "not a complete shell command" in done.stderr
