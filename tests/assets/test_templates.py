import pytest

from envyard.assets.tags.scan import image_reference, pypi_requirement, scan, substitute
from envyard.errors import SpecError

DOCKERFILE = (
    "# base\n"
    "FROM mcr.microsoft.com/azureml/base:{{latest-image-tag:monthly\\.\\d{6}}} AS build\n"
    "FROM docker.io/library/python:{{latest-image-tag}}\n"
)


def test_scan_finds_tags_with_braces_in_the_argument() -> None:
    tags = list(scan(DOCKERFILE, "Dockerfile"))
    assert [(t.line, t.col, t.name, t.arg) for t in tags] == [
        (2, 37, "latest-image-tag", "monthly\\.\\d{6}"),
        (3, 31, "latest-image-tag", None),
    ]
    assert DOCKERFILE[tags[0].start : tags[0].end] == tags[0].text
    assert image_reference(tags[0]) == "mcr.microsoft.com/azureml/base"
    assert image_reference(tags[1]) == "docker.io/library/python"


@pytest.mark.parametrize(
    ("line", "package", "extras"),
    [
        ("scikit-learn=={{latest-pypi-version}}", "scikit-learn", ""),
        ("  - torch[cuda]=={{latest-pypi-version:pre}}", "torch", "[cuda]"),
        ("- numpy={{latest-pypi-version}}", "numpy", ""),
        ('"azureml-core~={{latest-pypi-version}}"', "azureml-core", ""),
    ],
)
def test_pypi_requirement_on_the_same_line(line: str, package: str, extras: str) -> None:
    (tag,) = scan(line, "requirements.txt")
    assert pypi_requirement(tag) == (package, extras)


def test_a_tag_without_a_package_is_an_error_at_its_position() -> None:
    (tag,) = scan("pandas\n{{latest-pypi-version}}\n", "requirements.txt")
    with pytest.raises(SpecError) as info:
        pypi_requirement(tag)
    assert info.value.diagnostics[0].location() == "requirements.txt:2:1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("FROM x:{{latest-image-tag\n", "not closed"),
        ("FROM x:{{latest-image-tag:v\\d+\n", "not closed on its line"),
        ("a {{ b }}", "does not start a template tag"),
    ],
)
def test_malformed_tags(text: str, message: str) -> None:
    with pytest.raises(SpecError) as info:
        list(scan(text, "Dockerfile"))
    assert message in str(info.value)
    assert info.value.diagnostics[0].line == 1


def test_substitute_spec_tags_and_reject_unknown_ones() -> None:
    values = {"asset.name": "demo", "asset.version": "3"}
    assert substitute("n={{asset.name}} v={{asset.version}}", "spec.yaml", values) == "n=demo v=3"
    with pytest.raises(SpecError) as info:
        substitute("x: {{asset.nme}}\n", "spec.yaml", values)
    assert "spec.yaml:1:4" in str(info.value)
    assert "unknown tag {{asset.nme}}" in str(info.value)
