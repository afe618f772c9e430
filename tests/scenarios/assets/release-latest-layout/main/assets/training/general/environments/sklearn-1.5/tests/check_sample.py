"""The asset's smoke test (not released: tests_dir stays on the source branch)."""

import json


def test_sample_round_trips() -> None:
    sample = {"n_estimators": 10, "max_depth": None}
    assert json.loads(json.dumps(sample)) == sample
