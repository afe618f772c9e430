"""What nbmake and nbclient users write in notebook metadata (issue 17), beyond the verdict
scenarios in ``tests/scenarios/notebooks/nbmake-verdicts``."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from envyard.notebooks.nbmeta import after_cell_code, notebook_execution
from envyard.notebooks.session import SessionRequest, run_session

pytestmark = pytest.mark.slow


def _cell(meta: object) -> nbformat.NotebookNode:
    cell: nbformat.NotebookNode = nbformat.v4.new_code_cell("x = 1")
    cell.metadata["nbmake"] = meta
    return cell


def test_mocks_are_literals_and_post_code_follows() -> None:
    cell = _cell({"mock": {"a": "it's", "b.c": [1, None]}, "post_cell_execute": ["y = a"]})
    assert after_cell_code(cell) == [
        ("nbmake mock", 'a = "it\'s"\nb.c = [1, None]'),
        ("nbmake post_cell_execute", "y = a"),
    ]


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({"mock": {"os.system('x'); y": 1}}, "is not a Python name"),
        ({"mock": ["x"]}, "not a mapping"),
        ({"post_cell_execute": [1]}, "not a list of code lines"),
    ],
)
def test_metadata_nbmake_would_not_accept_is_refused(meta: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        after_cell_code(_cell(meta))


def test_notebook_execution_metadata() -> None:
    nb = nbformat.v4.new_notebook()
    assert notebook_execution(nb).timeout is None
    nb.metadata["execution"] = {"timeout": -1, "allow_errors": True}
    assert notebook_execution(nb).timeout == 0.0 and notebook_execution(nb).allow_errors
    nb.metadata["execution"] = {"timeout": "soon"}
    with pytest.raises(ValueError, match="timeout: 'soon' is not a number"):
        notebook_execution(nb)


def test_bad_mock_fails_at_its_cell_and_bad_execution_is_an_invalid_notebook(
    tmp_path: Path,
) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [_cell({"mock": {"1x": 2}})]
    nbformat.write(nb, tmp_path / "mock.ipynb")
    nb.metadata["execution"] = {"allow_errors": "yes"}
    nb.cells = [nbformat.v4.new_code_cell("pass")]
    nbformat.write(nb, tmp_path / "meta.ipynb")
    results = {r.name: r for r in run_session(SessionRequest([tmp_path])).results}
    mock = results["mock.ipynb"]
    assert (mock.status, mock.cell_index) == ("failed", 0)
    assert "metadata.nbmake.mock: '1x' is not a Python name" in mock.message
    meta = results["meta.ipynb"]
    assert (meta.status, meta.reason) == ("error", "invalid-notebook")
    assert "allow_errors: 'yes' is not true or false" in meta.message
