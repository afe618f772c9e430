"""The rule context reads each file once, as ``Path.read_text(encoding="utf-8")`` would."""

from pathlib import Path

import pytest

from envyard.assets.config import AssetSettings
from envyard.assets.rules.context import RuleContext, _read_text


@pytest.mark.parametrize(
    "data", [b"a\r\nb\rc\n", b"\xef\xbb\xbfx\r\r\n", b"", b"x\r", b"plain\n", "é\r\n".encode()]
)
def test_text_is_read_text(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "f"
    path.write_bytes(data)
    assert _read_text(path) == path.read_text(encoding="utf-8")


def test_unreadable_or_binary_text_is_none_and_seeded_text_wins(tmp_path: Path) -> None:
    ctx = RuleContext(AssetSettings(), [], set())
    (tmp_path / "bin").write_bytes(b"\xff\xfe\x00")
    assert ctx.text(tmp_path / "bin") is None
    assert ctx.text(tmp_path / "missing") is None
    ctx.seed(tmp_path / "s", "seen at discovery")
    assert ctx.text(tmp_path / "s") == "seen at discovery"
    assert ctx.texts()[tmp_path / "s"] == "seen at discovery"


def test_file_modes_are_asked_once_and_match_pathlib(tmp_path: Path) -> None:
    ctx = RuleContext(AssetSettings(), [], set())
    (tmp_path / "f").write_text("x")
    (tmp_path / "d").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "f")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    for name in ("f", "d", "link", "dangling", "missing", "f/below"):
        path = tmp_path / name
        assert ctx.is_file(path) == path.is_file(), name
        assert ctx.is_dir(path) == path.is_dir(), name
    (tmp_path / "f").unlink()
    assert ctx.is_file(tmp_path / "f")  # one answer per run, as the rules expect
