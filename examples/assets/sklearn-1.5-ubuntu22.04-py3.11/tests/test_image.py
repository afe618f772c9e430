"""Smoke test of the environment asset (run by `envyard asset test`)."""


def test_arithmetic_still_works() -> None:
    assert sum([1, 2, 3]) == 6
