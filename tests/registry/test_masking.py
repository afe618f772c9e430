"""URL credentials of an environment are stored (installs authenticate) but never shown."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from envyard.errors import SpecError
from envyard.registry.masking import MASK, mask_data, mask_text
from envyard.registry.service import RegistryService
from envyard.registry.store import Registry
from envyard.testing.conda_channel import CondaChannel, served_with_credentials
from envyard.testing.plugin import unique_name
from envyard.testing.pypi import PypiIndex


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("http://alice:s3cret@h:1/c", "http://alice:***@h:1/c"),
        ("--index-url https://bob:pw@h/simple", "--index-url https://bob:***@h/simple"),
        ("--extra-index-url=https://u:p@h/s", "--extra-index-url=https://u:***@h/s"),
        ("pkg @ git+https://ghp_tok@github.com/o/r", "pkg @ git+https://***@github.com/o/r"),
        ("https://conda.anaconda.org/t/ab-12cd/chan", "https://conda.anaconda.org/t/***/chan"),
        ("https://h/simple?token=abc&x=1", "https://h/simple?token=***&x=1"),
        ("https://h/simple?project=a&token=abc", "https://h/simple?project=a&token=***"),
        ("https://h/s?project=a&amp;token=abc", "https://h/s?project=a&amp;token=***"),  # HTML
        ("https://alice:pa'ss@h/x", "https://alice:***@h/x"),  # ' is legal in a password
        ("git+ssh://git@github.com/o/r", "git+ssh://git@github.com/o/r"),
        ("https://pypi.org/simple", "https://pypi.org/simple"),
        ("six==1.16.0", "six==1.16.0"),
    ],
)
def test_mask_text(text: str, expected: str) -> None:
    assert mask_text(text) == expected
    assert mask_data({"a": [text, 1, None]}) == {"a": [expected, 1, None]}


@pytest.fixture
def envs(metastore_url: str) -> Iterator[RegistryService]:
    yield Registry.open(metastore_url).environments


def _secret_env(
    name: str, channel: CondaChannel, index: PypiIndex, monkeypatch: pytest.MonkeyPatch
) -> dict[str, object]:
    conda_url, index_url = served_with_credentials(channel, index.url, monkeypatch)
    kernel = {
        "channels": [conda_url],
        "dependencies": ["tinyconda=1.0", {"pip": [f"--index-url {index_url}", "six"]}],
    }
    return {"name": name, "image": "python:3.11-slim", "kernel": kernel}


def test_credentials_are_stored_for_installs_and_masked_for_readers(
    envs: RegistryService,
    conda_channel: CondaChannel,
    locking_index: PypiIndex,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = unique_name("cred")
    record = envs.create(_secret_env(name, conda_channel, locking_index, monkeypatch))
    # what a launch installs from keeps the credentials: the lock's channel and file URLs
    lock = envs.lock(record.ref).lock
    assert lock is not None
    (package,) = lock.platforms["linux-64"].conda
    assert "alice:s3cretpw@" in package.url and "alice:s3cretpw@" in lock.channels[0]
    assert "pw123" in json.dumps(envs.get(name).model_dump(mode="json"))
    # what readers get (the REST API's JSON) does not
    _, shown = envs.get_json(name)
    text = shown.decode()
    assert "s3cretpw" not in text and "pw123" not in text
    assert "alice:***@" in text and "bob:***@" in text
    assert envs.kind.shown(envs.lock(name).model_dump_json()).count("s3cretpw") == 0


def test_an_exported_spec_written_back_gets_its_credentials_again(
    envs: RegistryService,
    conda_channel: CondaChannel,
    locking_index: PypiIndex,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = unique_name("round")
    body = _secret_env(name, conda_channel, locking_index, monkeypatch)
    first = envs.create(body)
    exported = mask_data(body)
    assert "s3cretpw" not in json.dumps(exported)
    second = envs.update(name, {**exported, "description": "edited"})
    assert second.content_hash == first.content_hash  # the same channel and index, restored
    kernel = second.model_dump(mode="json", exclude_none=True)["kernel"]
    assert {k: kernel[k] for k in ("channels", "dependencies")} == body["kernel"]
    # a masked credential no version holds cannot be stored
    other = json.loads(json.dumps(exported).replace("127.0.0.1", "localhost"))
    with pytest.raises(SpecError, match=r"masked credential \(\*\*\*\)"):
        envs.update(name, other)
    with pytest.raises(SpecError, match="masked credential"):
        envs.create({**exported, "name": unique_name("fresh")})


def test_a_masked_token_is_restored_only_for_its_own_url() -> None:
    """Written back with another host, a masked query token would send the stored one there."""
    from envyard.registry.masking import restore_masked

    stored = [{"pip": ["--extra-index-url https://pypi.corp.example/simple?token=S3CRET"]}]
    back = {"pip": ["--extra-index-url https://pypi.corp.example/simple?token=***"]}
    assert restore_masked(back, stored) == stored[0]
    moved = {"pip": ["--extra-index-url https://evil.example/simple?token=***"]}
    with pytest.raises(SpecError, match="masked credential"):
        restore_masked(moved, stored)


def test_a_spec_read_from_a_server_installs_without_the_masked_credentials() -> None:
    """Over HTTP a spec's credentials read `***`: the kernel installs without them (the
    installer's own netrc/settings authenticate), never sending `***` as a password."""
    from envyard.launch.kernelspec import kernel_spec
    from envyard.spec.environment import Environment

    env = Environment.model_validate(
        {
            "name": "masked",
            "image": "python:3.11-slim",
            "kernel": {
                "channels": ["https://alice:***@conda.example/chan"],
                "dependencies": [
                    "tinynumpy=1.26.4",
                    {"pip": ["--extra-index-url https://h/simple?token=***", "six==1.16.0"]},
                ],
            },
        }
    )
    spec = kernel_spec(env)
    assert spec is not None
    assert spec.channels == ("https://conda.example/chan",)
    assert "--extra-index-url https://h/simple" in spec.pip
    assert not any(MASK in line for line in (*spec.pip, *spec.channels))
