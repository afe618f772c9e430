"""The strict template language: parsing, resolving, and its errors."""

from __future__ import annotations

import re

import pytest

from envyard.spec.template import (
    Literal,
    Ref,
    Scope,
    SecretRef,
    TemplateError,
    parse,
    resolve,
    secret_env_name,
)

SCOPE = Scope(
    parameters={"epochs": 3, "nested": {"lr": [0.1, 0.01]}, "flag": True, "empty": None},
    secrets=frozenset({"api-key"}),
    this={"name": "mnist", "uri": ["a", "b"], "parameters": {"location": "data/x"}},
    slots={"data": {"name": "covid", "uri": "https://x/y.zip", "parameters": {}}},
)


def value(text: str) -> str:
    (ref,) = [p for p in parse(text) if isinstance(p, Ref)]
    got = resolve(ref, SCOPE)
    assert isinstance(got, Literal)
    return got.value


def test_parse_splits_text_and_references() -> None:
    parts = parse("a <%this.uri[1]%> b <% $parameters.epochs %>")
    assert parts[0] == "a "
    assert isinstance(parts[1], Ref)
    assert parts[1].root == "this"
    assert parts[1].path == ("uri", 1)
    assert parts[2] == " b "
    assert isinstance(parts[3], Ref)
    assert parts[3].path == ("epochs",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<% this.parameters.location %>", "data/x"),
        ("<% this.uri[1] %>", "b"),
        ("<% this.name %>", "mnist"),
        ("<% $parameters.epochs %>", "3"),
        ("<% $parameters.nested.lr[1] %>", "0.01"),
        ("<% $parameters.flag %>", "true"),
        ("<% $parameters.nested %>", '{"lr": [0.1, 0.01]}'),
        ("<% $data.uri[0] %>", "https://x/y.zip"),
        ("<% $data.uri %>", "https://x/y.zip"),
        ("<% $data.name %>", "covid"),
    ],
)
def test_resolves(text: str, expected: str) -> None:
    assert value(text) == expected


def test_secret_is_a_reference_to_an_environment_variable() -> None:
    (ref,) = parse("<% $secrets.api-key %>")
    assert isinstance(ref, Ref)
    assert resolve(ref, SCOPE) == SecretRef("api-key", "ENVYARD_SECRET_API_KEY")
    assert secret_env_name("a.b") == "ENVYARD_SECRET_A_B"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<% this.parameters.missing %>", "this.parameters has no 'missing' (known: location)"),
        ("<% this.uri[5] %>", "this.uri has 2 items, [5] does not exist"),
        ("<% $parameters.nope %>", "$parameters has no 'nope'"),
        ("<% $parameters.empty %>", "is empty (null)"),
        ("<% $secrets.other %>", "no secret 'other' (known: api-key)"),
        ("<% $script.uri %>", "this task role has no `script:` prerequisite"),
        ("<% $foo.bar %>", "unknown reference '$foo'"),
        ("<% 1 + 1 %>", "is not a reference"),
        ("<% __import__('os').system('x') %>", "expressions are not evaluated"),
        ("<% $parameters.epochs", "never closed"),
        ("text %> more", "without an opening"),
    ],
)
def test_errors_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(TemplateError, match=re.escape(message)):
        for part in parse(text):
            if isinstance(part, Ref):
                resolve(part, SCOPE)


def test_this_outside_a_prerequisite_is_an_error() -> None:
    (ref,) = parse("<% this.uri %>")
    assert isinstance(ref, Ref)
    with pytest.raises(TemplateError, match="only exists in a prerequisite's callbacks"):
        resolve(ref, Scope(parameters={}, secrets=None))


def test_no_html_escaping() -> None:
    scope = Scope(parameters={"html": "<b>&amp;</b>"}, secrets=None)
    (ref,) = parse("<% $parameters.html %>")
    assert isinstance(ref, Ref)
    assert resolve(ref, scope) == Literal("<b>&amp;</b>")


def test_mustaches_dotted_index_reads_a_list_item_or_a_numeric_key() -> None:
    """OpenPAI renders with mustache, where ``.1`` is item 1 of a list (or the key ``1``)."""
    scope = Scope(parameters={"nested": {"k": [10, 20], "1": "one"}}, secrets=None)
    text = "<% $parameters.nested.k.1 %> <% $parameters.nested.1 %> <% $parameters.nested.k[0] %>"
    values = [resolve(p, scope) for p in parse(text) if isinstance(p, Ref)]
    assert [v.value for v in values if isinstance(v, Literal)] == ["20", "one", "10"]
    with pytest.raises(TemplateError, match=re.escape("has 2 items, [5] does not exist")):
        [resolve(p, scope) for p in parse("<% $parameters.nested.k.5 %>") if isinstance(p, Ref)]
