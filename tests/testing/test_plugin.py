"""envyard.testing.plugin: what a user's test suite sees when it loads the fixtures."""

from __future__ import annotations

import pytest

from envyard.testing.process import INSTALL_SCRIPT

# Inner sessions load only this plugin: not xdist, nor plugins the machine happens to have.
INNER_ARGS = [
    *("-p", "envyard.testing.plugin"),
    *("-p", "no:xdist", "-p", "no:benchmark", "-p", "no:cacheprovider"),
]


def test_missing_system_binary_fails_the_test_instead_of_skipping(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("envyard.testing.registry.REGISTRY_BINARY", "/nonexistent/docker-registry")
    pytester.makepyfile("def test_uses_registry(oci_registry):\n    pass\n")
    result = pytester.runpytest(*INNER_ARGS)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*'docker-registry'*{INSTALL_SCRIPT}*"])
    assert "skipped" not in result.stdout.str()


def test_fixtures_are_listed_for_users(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(*INNER_ARGS, "--fixtures")
    for name in (
        "oci_registry",
        "oci_registry_basic_auth",
        "oci_registry_token_auth",
        "pypi_index",
        "fresh_pypi_index",
        "postgres_server",
        "postgres_url",
        "git_repo_factory",
        "git_repo",
    ):
        result.stdout.fnmatch_lines([f"{name} *"])
