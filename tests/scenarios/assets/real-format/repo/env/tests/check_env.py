"""The asset's smoke test, as azureml-assets' tests_dir holds one: the environment's Python
is 3.8 or newer and its standard library works."""

import json
import sys


def test_import() -> None:
    assert sys.version_info >= (3, 8)
    assert json.loads('{"ok": [1, 2]}') == {"ok": [1, 2]}
