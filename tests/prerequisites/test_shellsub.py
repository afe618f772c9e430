"""Values substituted into shell text stay one inert word, whatever quoting surrounds them."""

from __future__ import annotations

import subprocess

import pytest

from envyard.prerequisites.shellsub import DangerousValueError, substitute
from envyard.spec.template import Scope, parse, resolve

NASTY = [
    "$(touch pwned)",
    "`touch pwned`",
    'it\'s "quoted"; touch pwned',
    "two\nlines; touch pwned",
    "back\\slash $HOME ${PATH} * ?",
    "'",
    '"',
    "",
]
TEMPLATES = [
    "printf '%s|' <% $parameters.v %>",
    "printf '%s|' \"<% $parameters.v %>\"",
    "printf '%s|' \"a <% $parameters.v %> b\"",
    "printf '%s|' 'a <% $parameters.v %> b'",
    "printf '%s|' $'a <% $parameters.v %> b'",
    "printf '%s|' \"$(printf '%s' <% $parameters.v %>)\"",
    "printf '%s|' \"$(printf '%s' \"x<% $parameters.v %>\")\"",
    "(printf '%s|' <% $parameters.v %>)",
]
EXPECTED = {
    0: lambda v: f"{v}|",
    1: lambda v: f"{v}|",
    2: lambda v: f"a {v} b|",
    3: lambda v: f"a {v} b|",
    4: lambda v: f"a {v} b|",
    5: lambda v: f"{v}|",
    6: lambda v: f"x{v}|",
    7: lambda v: f"{v}|",
}


def render(template: str, value: str) -> str:
    scope = Scope(parameters={"v": value}, secrets=None)
    return substitute(parse(template), lambda ref: resolve(ref, scope))


@pytest.mark.parametrize("index", range(len(TEMPLATES)))
@pytest.mark.parametrize("value", NASTY)
def test_value_stays_inert(index: int, value: str, tmp_path: object) -> None:
    script = render(TEMPLATES[index], value)
    done = subprocess.run(
        ["bash", "-c", script], cwd=str(tmp_path), capture_output=True, text=True, check=True
    )
    expected = EXPECTED[index](value)
    if index == 0 and value == "":
        expected = "|"  # an empty word is still one argument
    assert done.stdout == expected
    assert not (tmp_path / "pwned").exists()  # type: ignore[operator]


def test_plain_values_are_inserted_as_written() -> None:
    assert render('echo "dir/<% $parameters.v %>"', "covid19/data") == 'echo "dir/covid19/data"'


@pytest.mark.parametrize(
    "template",
    [
        "eval echo <% $parameters.v %>",
        'eval "echo <% $parameters.v %>"',
        "sh -c 'echo <% $parameters.v %>'",
        'FOO=1 bash -c "echo <% $parameters.v %>"',
        "echo `echo <% $parameters.v %>`",
        "ssh host echo <% $parameters.v %>",
        "sudo sh -c 'echo <% $parameters.v %>'",
        "cat <<EOF\n<% $parameters.v %>\nEOF",
        "find . -exec bash -c 'echo <% $parameters.v %>' \\;",
    ],
)
def test_reparsed_text_refuses_shell_syntax(template: str) -> None:
    with pytest.raises(DangerousValueError, match="parses text again"):
        render(template, "$(touch pwned)")
    assert "plain-value" in render(template, "plain-value")  # safe values are fine there


def test_words_that_merely_look_like_eval_are_fine() -> None:
    script = render("python eval.py --title <% $parameters.v %>", "my run")
    assert script == "python eval.py --title 'my run'"


def test_escaped_dollar_is_not_a_command_substitution(tmp_path: object) -> None:
    script = render("printf '%s|' \\$(<% $parameters.v %>)", "x y")
    assert script == "printf '%s|' \\$('x y')"


def test_nul_byte_is_refused() -> None:
    with pytest.raises(DangerousValueError, match="NUL"):
        render("echo <% $parameters.v %>", "a\x00b")


def test_secret_expands_from_the_environment_in_every_context(tmp_path: object) -> None:
    scope = Scope(parameters={}, secrets=frozenset({"tok"}))
    for template, expected in [
        ("printf '%s|' <% $secrets.tok %>", "a b$(x)|"),
        ("printf '%s|' \"k=<% $secrets.tok %>\"", "k=a b$(x)|"),
        ("printf '%s|' 'k=<% $secrets.tok %>'", "k=a b$(x)|"),
    ]:
        script = substitute(parse(template), lambda ref: resolve(ref, scope))
        assert "a b" not in script
        done = subprocess.run(
            ["bash", "-c", script], env={"ENVYARD_SECRET_TOK": "a b$(x)", "PATH": "/usr/bin:/bin"},
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert done.stdout == expected


def test_secret_in_eval_is_refused() -> None:
    scope = Scope(parameters={}, secrets=frozenset({"tok"}))
    with pytest.raises(DangerousValueError, match="secret"):
        substitute(parse("eval <% $secrets.tok %>"), lambda ref: resolve(ref, scope))
