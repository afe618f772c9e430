"""What each kind of rule does to a document's data (JSONPath, literal, regex, operations)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from envyard.overrides.matching.apply import Copy, apply_rules, apply_to
from envyard.overrides.matching.indexes import SHRIKE_FEEDS, IndexRemoval, drop_index_items
from envyard.overrides.matching.rules import MISSING, Rule

Rules = Callable[[str], tuple[Rule, ...]]

MULTI_JOB = {
    "jobs": {
        "train": {"image": "polymerprod.azurecr.io/a:1", "cmd": "x"},
        "eval": {"image": "polymerprod.azurecr.io/b:2"},
    },
    "steps": [{"image": "polymerprod.azurecr.io/c:3"}, {"name": "no-image"}],
    "image": "other.io/top:1",
}


def _apply(rules: tuple[Rule, ...], data: dict[str, Any]) -> tuple[Any, list[Any], set[int]]:
    return apply_rules(data, rules)


def test_descendant_jsonpath_changes_every_image_of_a_multi_job_spec(rules_from: Rules) -> None:
    rules = rules_from(
        """
        $..image:
          'polymerprod.azurecr.io/(.+)': 'polymerdev.azurecr.io/$1'
        """
    )
    new, changes, acted = _apply(rules, MULTI_JOB)
    assert new["jobs"]["train"]["image"] == "polymerdev.azurecr.io/a:1"
    assert new["jobs"]["eval"]["image"] == "polymerdev.azurecr.io/b:2"
    assert new["steps"][0]["image"] == "polymerdev.azurecr.io/c:3"
    assert new["image"] == "other.io/top:1"
    assert len(changes) == 3
    assert acted == {0}
    assert MULTI_JOB["jobs"]["train"]["image"] == "polymerprod.azurecr.io/a:1"  # input untouched


def test_wildcard_shorthand_reaches_each_job(rules_from: Rules) -> None:
    rules = rules_from(
        """
        jobs.*.image:
          'polymerprod.azurecr.io/(?P<rest>.+)': 'mcr.microsoft.com/${rest}'
        """
    )
    new, changes, _ = _apply(rules, MULTI_JOB)
    assert [c.new for c in changes] == ["mcr.microsoft.com/a:1", "mcr.microsoft.com/b:2"]
    assert new["steps"][0]["image"] == "polymerprod.azurecr.io/c:3"


def test_group_references_dollar_braces_and_backslash(rules_from: Rules) -> None:
    data = {"a": "prod/x/1", "b": "prod/y/2", "c": "prod/z/3"}
    for template, expected in (
        ("dev/$1-$2", "dev/x-1"),
        ("dev/${1}1", "dev/x1"),
        (r"dev/\2", "dev/1"),
    ):
        rules = rules_from(f"a:\n  'prod/(\\w)/(\\d)': '{template}'")
        new, _, _ = _apply(rules, data)
        assert new["a"] == expected, template


def test_literal_match_wins_over_a_regex_that_also_matches(rules_from: Rules) -> None:
    rules = rules_from(
        """
        image:
          'img(.*)': 'regex$1'
          'img.v1': 'literal'
        """
    )
    new, changes, _ = _apply(rules, {"image": "img.v1"})
    assert new["image"] == "literal"
    assert changes[0].line == 5  # the literal pair's line in the overrides file


def test_regex_matches_at_the_start_and_replaces_every_occurrence_as_shrike(
    rules_from: Rules,
) -> None:
    rules = rules_from("image:\n  'prod': 'dev'")
    new, changes, _ = _apply(rules, {"image": "prod-registry/prod"})
    assert new["image"] == "dev-registry/dev"  # re.match, then re.sub: shrike 2.0.2's result
    assert len(changes) == 1


def test_regex_not_at_the_start_changes_nothing(rules_from: Rules) -> None:
    rules = rules_from("image:\n  'registry': 'dev'")
    new, changes, acted = _apply(rules, {"image": "prod-registry/x"})
    assert new["image"] == "prod-registry/x"
    assert changes == []
    assert acted == {0}  # the path selected a field; no old value matched


def test_the_last_matching_regex_wins_as_in_shrike(rules_from: Rules) -> None:
    rules = rules_from("image:\n  'prod/(.+)': 'a/\\g<1>'\n  'prod': 'b'")
    new, _, _ = _apply(rules, {"image": "prod/x"})
    assert new["image"] == "b/x"


def test_mapping_tags_get_a_new_tag_added_and_existing_ones_set(rules_from: Rules) -> None:
    rules = rules_from("tags:\n  eyesoff: eyeson\n  owner: team-b")
    new, changes, _ = _apply(rules, {"tags": {"owner": "team-a"}})
    assert new["tags"] == {"owner": "team-b", "eyesoff": "eyeson"}
    assert {(c.location, c.old, c.new) for c in changes} == {
        (("tags", "owner"), "team-a", "team-b"),
        (("tags", "eyesoff"), MISSING, "eyeson"),
    }


def test_scalar_tags_as_in_the_rfc_are_substituted(rules_from: Rules) -> None:
    new, _, _ = _apply(rules_from("tags:\n  eyesoff: eyeson"), {"tags": "eyesoff"})
    assert new["tags"] == "eyeson"


def test_list_items_are_substituted_one_by_one(rules_from: Rules) -> None:
    rules = rules_from(
        """
        $..pip:
          '--index-url https://old/(.*)': '--index-url https://new/$1'
        """
    )
    data = {"dependencies": ["python=3.11", {"pip": ["a==1", "--index-url https://old/simple/"]}]}
    new, _, _ = _apply(rules, data)
    assert new["dependencies"][1]["pip"] == ["a==1", "--index-url https://new/simple/"]


def test_set_creates_missing_fields_and_parents(rules_from: Rules) -> None:
    rules = rules_from("environment.docker.registry:\n  $set: mcr.microsoft.com")
    new, changes, acted = _apply(rules, {"environment": {"conda": {}}})
    assert new["environment"]["docker"] == {"registry": "mcr.microsoft.com"}
    assert changes[0].old is MISSING
    assert acted == {0}


def test_set_replaces_whatever_was_there(rules_from: Rules) -> None:
    new, _, _ = _apply(rules_from("a.b:\n  $set: {x: 1}"), {"a": {"b": "scalar"}})
    assert new == {"a": {"b": {"x": 1}}}


def test_remove_deletes_every_match_including_list_items(rules_from: Rules) -> None:
    rules = rules_from(
        """
        $..pip[?@ == '--index-url https://feed/']:
          $remove: true
        $.jobs.*.cmd:
          $remove: true
        """
    )
    data = {
        "deps": [{"pip": ["--index-url https://feed/", "a", "--index-url https://feed/"]}],
        "jobs": {"a": {"cmd": "x", "image": "i"}},
    }
    new, changes, acted = _apply(rules, data)
    assert new == {"deps": [{"pip": ["a"]}], "jobs": {"a": {"image": "i"}}}
    assert len(changes) == 3
    assert acted == {0, 1}


def test_append_and_prepend_create_and_skip_duplicates(rules_from: Rules) -> None:
    rules = rules_from(
        """
        channels:
          $prepend: conda-forge
          $append: [defaults, extra]
        pip_options:
          $append: --extra-index-url https://x/
        """
    )
    new, _, _ = _apply(rules, {"channels": ["defaults"]})
    assert new["channels"] == ["conda-forge", "defaults", "extra"]
    assert new["pip_options"] == ["--extra-index-url https://x/"]


def test_rules_apply_in_order_and_see_earlier_results(rules_from: Rules) -> None:
    rules = rules_from(
        """
        image:
          'a': 'b'
        $.image:
          'b': 'c'
        """
    )
    new, changes, _ = _apply(rules, {"image": "a"})
    assert new["image"] == "c"
    assert [(c.old, c.new) for c in changes] == [("a", "b"), ("b", "c")]


def test_a_rule_selecting_nothing_is_reported_as_not_acting(rules_from: Rules) -> None:
    rules = rules_from("missing.field:\n  'a': 'b'\nname:\n  'x': 'y'")
    _, changes, acted = _apply(rules, {"name": "x"})
    assert acted == {1}
    assert [c.new for c in changes] == ["y"]


def test_numbers_and_booleans_match_by_their_yaml_text(rules_from: Rules) -> None:
    rules = rules_from("version:\n  '1': 2\nflag:\n  'false': true")
    new, _, _ = _apply(rules, {"version": 1, "flag": False})
    assert new == {"version": 2, "flag": True}


def test_singular_paths_select_like_the_jsonpath_engine(rules_from: Rules) -> None:
    from envyard.overrides.matching.apply import select

    data = {"a": {"b": [{"c": 1}, {"c": 2}]}, "d": None, "e": {"true": 1}}
    rules = rules_from(
        "a.b[1].c:\n  x: y\n$.a.b[-1].c:\n  x: y\n$['d']:\n  x: y\na.missing:\n  x: y\n"
        "$.a.b[5]:\n  x: y\ne.true:\n  x: y"
    )
    for rule in rules:
        engine = [tuple(n.location) for n in rule.query.finditer(data)]
        assert select(rule, data) == engine, rule.key


def test_regex_substitutions_do_not_add_keys_to_a_mapping(rules_from: Rules) -> None:
    rules = rules_from("$..image:\n  'prod/(.+)': 'dev/$1'\n  latest: pinned")
    data = {"image": {"name": "prod/x"}, "jobs": [{"image": "prod/y"}]}
    new, _, _ = _apply(rules, data)
    assert new == {"image": {"name": "prod/x", "latest": "pinned"}, "jobs": [{"image": "dev/y"}]}


def test_the_original_data_is_never_changed_and_untouched_parts_are_shared(
    rules_from: Rules,
) -> None:
    """The new data is copied on write: every kind of change leaves the original as it was."""
    rules = rules_from(
        """
        $..image:
          'polymerprod.azurecr.io/(.+)': 'polymerdev.azurecr.io/$1'
        $.jobs.*.cmd:
          $remove: true
        tags:
          eyesoff: eyeson
          Office: kept
        env.a.b:
          $set: {x: [1]}
        channels:
          $prepend: conda-forge
        """
    )
    data = {
        "jobs": {"train": {"image": "polymerprod.azurecr.io/a:1", "cmd": "x"}},
        "steps": [{"image": "polymerprod.azurecr.io/c:3"}, {"name": "n", "args": [1, 2]}],
        "tags": {"eyesoff": "", "other": "y"},
        "channels": ["defaults"],
        "dependencies": ["python", {"pip": ["a", SHRIKE_FEEDS[0], "b"]}],
        "untouched": {"deep": {"list": [{"k": "v"}]}},
    }
    before = copy.deepcopy(data)
    new = Copy(data)
    changes, _ = apply_to(new, rules)
    rule = changes[0].rule
    changes += drop_index_items(new, IndexRemoval(SHRIKE_FEEDS, rule))
    assert data == before
    assert new.data["jobs"] == {"train": {"image": "polymerdev.azurecr.io/a:1"}}
    assert new.data["steps"][0]["image"] == "polymerdev.azurecr.io/c:3"
    assert new.data["tags"] == {"eyesoff": "eyeson", "other": "y", "Office": "kept"}
    assert new.data["env"] == {"a": {"b": {"x": [1]}}}
    assert new.data["channels"] == ["conda-forge", "defaults"]
    assert new.data["dependencies"] == ["python", {"pip": ["a", "b"]}]
    assert new.data["untouched"] is data["untouched"]  # shared, not copied
    assert new.data["steps"][1] is data["steps"][1]
    assert new.data["steps"] is not data["steps"]
