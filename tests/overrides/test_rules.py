"""Compiled rules: substitution of one value, and the Change record."""

from __future__ import annotations

from collections.abc import Callable

from envyard.overrides.matching.rules import MISSING, Change, Rule, substitute

Rules = Callable[[str], tuple[Rule, ...]]


def test_substitute_literal_then_regex_then_nothing(rules_from: Rules) -> None:
    (rule,) = rules_from("image:\n  'a/(.+)': 'b/\\1'\n  a/x: literal")
    assert substitute(rule, "a/x") == ("literal", rule.pairs[1])
    assert substitute(rule, "a/y") == ("b/y", rule.pairs[0])
    assert substitute(rule, "c") is None
    assert substitute(rule, {"a": 1}) is None


def test_rule_records_where_it_is_written(rules_from: Rules) -> None:
    (rule,) = rules_from("jobs.*.image:\n  $set: x\n  $append: [a]")
    assert rule.jsonpath == "$['jobs'][*]['image']"
    assert rule.plain_path is None
    assert rule.where.endswith(":3")
    assert rule.op_lines == {"$set": 4, "$append": 5}
    assert rule.append == ("a",)


def test_change_unpacks_as_field_old_new_rule(rules_from: Rules) -> None:
    (rule,) = rules_from("a:\n  $set: 1")
    field, old, new, who = Change(("a", 0, "b c"), MISSING, 1, rule, 2)
    assert (field, old, new, who) == ('a[0]["b c"]', MISSING, 1, rule)
    assert repr(MISSING) == "(absent)"
