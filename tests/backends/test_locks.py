"""A lock in the forms remote installers take (pip requirements, conda specs)."""

from __future__ import annotations

import pytest

from envyard.backends.locks import conda_lines, index_lines, pip_lines
from envyard.errors import ConfigError
from envyard.locking.model import Artifact, CondaPackage, Lock, PipPackage, PlatformLock

WHEEL = Artifact(url="http://127.0.0.1:1/packages/six-1.16.0-py2.py3-none-any.whl", sha256="a" * 64)
SDIST = Artifact(url="http://127.0.0.1:1/packages/six-1.16.0.tar.gz", sha256="b" * 64)


def _lock(
    *pip: PipPackage, conda: tuple[CondaPackage, ...] = (), indexes: tuple[str, ...] = ()
) -> Lock:
    return Lock(
        spec_hash="sha256:" + "0" * 64,
        python="3.11",
        indexes=indexes,
        channels=("https://conda.example/main",),
        platforms={"linux-64": PlatformLock(pip=pip, conda=conda)},
    )


def test_pip_packages_are_pinned_with_every_file_hash_after_the_indexes() -> None:
    lock = _lock(
        PipPackage(name="six", version="1.16.0", wheels=(WHEEL,), sdist=SDIST),
        PipPackage(
            name="tiny", version="2.0", wheels=(Artifact(url="file:///w/t.whl", sha256="c" * 64),)
        ),
        indexes=(
            "http://127.0.0.1:1/simple/",
            "/srv/wheels",
            "https://mirror.example/simple",
            "file:///opt/pypi/simple",
        ),
    )
    assert pip_lines(lock) == [
        "--index-url http://127.0.0.1:1/simple/",
        "--find-links /srv/wheels",
        "--extra-index-url https://mirror.example/simple",
        "--extra-index-url file:///opt/pypi/simple",
        "--find-links file:///opt/pypi/simple",
        f"six==1.16.0 --hash=sha256:{'a' * 64} --hash=sha256:{'b' * 64}",
        f"tiny==2.0 --hash=sha256:{'c' * 64}",
    ]


def test_a_file_without_a_hash_turns_hash_checking_off_for_the_whole_list() -> None:
    lock = _lock(
        PipPackage(name="six", version="1.16.0", wheels=(WHEEL,)),
        PipPackage(name="nohash", version="1", sdist=Artifact(url="file:///x.tar.gz", sha256="")),
        indexes=("/srv/wheels",),
    )
    assert index_lines(lock) == ["--no-index", "--find-links /srv/wheels"]
    assert pip_lines(lock)[2:] == ["six==1.16.0", "nohash==1"]


def test_conda_packages_are_pinned_to_their_builds() -> None:
    numpy = CondaPackage(
        name="numpy", version="1.26.4", build="py311h_0", subdir="linux-64",
        channel="https://conda.example/forge", url="https://conda.example/forge/linux-64/n.conda",
        file_name="n.conda", sha256="d" * 64,
    )  # fmt: skip
    channels, specs = conda_lines(_lock(conda=(numpy,)))
    assert specs == ["numpy==1.26.4=py311h_0"]
    assert channels == ["https://conda.example/main", "https://conda.example/forge"]
    assert pip_lines(_lock(conda=(numpy,))) == []


@pytest.mark.parametrize(
    ("name", "version"),
    [("six\n--index-url http://evil/simple", "1"), ("six", "1 --extra-index-url x"), ("-e", "1")],
)
def test_a_lock_never_writes_an_option_into_a_requirements_file(name: str, version: str) -> None:
    lock = _lock(PipPackage(name=name, version=version, wheels=(WHEEL,)))
    with pytest.raises(ConfigError, match="cannot be written into a requirements file"):
        pip_lines(lock)


def test_ray_gets_a_conda_environment_of_exact_builds_with_the_pip_pins_inside() -> None:
    from envyard.backends.ray import _packages

    numpy = CondaPackage(
        name="numpy", version="1.26.4", build="py311h_0", subdir="linux-64",
        channel="https://conda.example/main", url="https://conda.example/main/linux-64/n.conda",
        file_name="n.conda", sha256="d" * 64,
    )  # fmt: skip
    six = PipPackage(name="six", version="1.16.0", wheels=(WHEEL,))
    lock = _lock(six, conda=(numpy,), indexes=("http://127.0.0.1:1/simple/",))
    assert _packages(None, lock) == {
        "conda": {
            "channels": ["https://conda.example/main"],
            "dependencies": [
                "numpy==1.26.4=py311h_0",
                "pip",
                {
                    "pip": [
                        "--index-url http://127.0.0.1:1/simple/",
                        f"six==1.16.0 --hash=sha256:{'a' * 64}",
                    ]
                },
            ],
        }
    }
    assert _packages(None, _lock(six))["pip"]["packages"] == [
        f"six==1.16.0 --hash=sha256:{'a' * 64}"
    ]
