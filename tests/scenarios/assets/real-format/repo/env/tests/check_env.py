def test_import() -> None:
    assert True
