"""Lock files: written and read back as they were; accepted or refused as the model decides."""

import json

from envyard.assets.pinning.lock import LockEntry, LockFile

ENTRY = LockEntry(
    file="context/Dockerfile",
    line=1,
    col=30,
    tag="{{latest-image-tag}}",
    kind="image",
    subject="127.0.0.1:5000/base/python",
    status="resolved",
    value="3.11",
    digest="sha256:" + "a" * 64,
    source="127.0.0.1:5000",
)
LOCK = LockFile(
    asset="demo",
    type="environment",
    version="2",
    source_hash="sha256:" + "b" * 64,
    files=["envs/demo/asset.yaml"],
    entries=[ENTRY, ENTRY.model_copy(update={"status": "skipped", "reason": "no"})],
)


def test_round_trip_keeps_fields_and_their_order() -> None:
    text = LOCK.dumps()
    assert list(json.loads(text)) == [
        "lock_version",
        "asset",
        "type",
        "version",
        "source_hash",
        "files",
        "entries",
    ]
    assert list(json.loads(text)["entries"][0]) == [
        "file", "line", "col", "tag", "kind", "subject", "status", "value", "digest", "source",
        "reason",
    ]  # fmt: skip
    assert LockFile.loads(text) == LOCK
    assert [e.reason for e in LOCK.skipped] == ["no"]


def test_values_pydantic_converts_are_converted() -> None:
    data = json.loads(LOCK.dumps())
    data["entries"][0]["line"] = "1"
    assert LockFile.loads(json.dumps(data)) == LOCK


def test_what_pydantic_refuses_is_no_lock() -> None:
    for change in (
        {"entries": [{**json.loads(LOCK.dumps())["entries"][0], "status": "maybe"}]},
        {"colour": "red"},
        {"source_hash": None},
        {"lock_version": 2},
    ):
        data = {**json.loads(LOCK.dumps()), **change}
        assert LockFile.loads(json.dumps(data)) is None, change
    assert LockFile.loads("not json") is None
    assert LockFile.loads("[]") is None
