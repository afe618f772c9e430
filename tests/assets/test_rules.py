"""The rule context reads each file once, as ``Path.read_text(encoding="utf-8")`` would."""

from pathlib import Path

import pytest

from envyard.assets.config import AssetSettings
from envyard.assets.rules import RuleContext, _read_text


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
