from __future__ import annotations

import pytest

from envyard.spec.refs import ImageRef, parse_image_ref


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("python", ImageRef("", "python")),
        ("python:3.11-slim", ImageRef("", "python", "3.11-slim")),
        ("localhost:5000/a/b:1", ImageRef("localhost:5000", "a/b", "1")),
        (
            "mcr.microsoft.com/azureml/x:{{latest-image-tag}}".replace(
                "{{latest-image-tag}}", "v1"
            ),
            ImageRef("mcr.microsoft.com", "azureml/x", "v1"),
        ),
        ("r.io/a@sha256:" + "a" * 64, ImageRef("r.io", "a", None, "sha256:" + "a" * 64)),
        ("r.io/a:t@sha256:" + "b" * 64, ImageRef("r.io", "a", "t", "sha256:" + "b" * 64)),
    ],
)
def test_parse_valid(text: str, expected: ImageRef) -> None:
    assert parse_image_ref(text) == expected
    assert str(expected) == text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("a b", "spaces"),
        ("r.io/Upper", "'Upper' is not a valid repository path component"),
        ("r.io/a:bad/tag", "not a valid repository path component"),
        ("r.io/a@md5:12", "not a valid digest"),
        ("r.io/a:-x", "'-x' is not a valid image tag"),
    ],
)
def test_parse_invalid(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_image_ref(text)
