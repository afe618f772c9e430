from envyard.assets.yamlfast import parse_fast
from envyard.spec.document import parse_document

TEXT = """\
# comment
name: demo
version: 1.10
flags: yes
when: 2024-01-02
tags:
  OS: Ubuntu22.04
  Python: "3.11"
list:
  - a
  - b: 1
"""


def test_same_data_and_positions_as_the_round_trip_parser() -> None:
    fast = parse_fast(TEXT, "f.yaml")
    slow = parse_document(TEXT, "f.yaml")
    assert fast.data == slow.data
    assert fast.position(("tags", "OS")) == slow.position(("tags", "OS")) == (7, 7)
    assert fast.keys == slow.keys
    assert fast.values == slow.values
    assert fast.data["flags"] == "yes"  # YAML 1.2: only true/false are booleans


def test_duplicate_keys_fall_back_to_the_round_trip_errors() -> None:
    import pytest

    from envyard.errors import SpecError

    with pytest.raises(SpecError) as info:
        parse_fast("a: 1\na: 2\n", "dup.yaml")
    assert "duplicate key 'a'" in str(info.value)
    with pytest.raises(SpecError) as info:
        parse_fast("a: [1\n", "bad.yaml")
    assert "not valid YAML" in str(info.value)


def test_unusual_documents_give_the_round_trip_results() -> None:
    import pytest

    from envyard.errors import SpecError

    tagged = "a: 3\nb: &x [1, 2]\nc: *x\n"
    assert parse_fast(tagged, "m.yaml").data == parse_document(tagged, "m.yaml").data
    with pytest.raises(SpecError, match="empty"):
        parse_fast("# nothing\n", "e.yaml")
    typed = "a: 0x1F\nb: '1.10'\nc: 1.10\nd: ~\ne: -3\nf: 1e3\ng: .inf\nh: 2024-01-02\ni: no\n"
    assert parse_fast(typed, "t.yaml").data == parse_document(typed, "t.yaml").data
