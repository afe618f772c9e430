"""A registry version's stored lock is what every backend installs, not a fresh resolution."""

from __future__ import annotations

from pathlib import Path

from tests.backends.helpers import submission

from envyard import plugins
from envyard.backends.locks import lock_of, with_locks
from envyard.client import Client
from envyard.testing.plugin import unique_name
from envyard.testing.pypi import PypiIndex

JOB = """
protocolVersion: 2
name: stored
taskRoles:
  main:
    environment: {env}
    commands: ["python -c \\"import {module} as p; print('got', p.__version__)\\""]
"""


def test_the_local_backend_installs_the_version_s_stored_lock(
    tmp_path: Path, pypi_index: PypiIndex
) -> None:
    module = unique_name("eystored").replace("-", "_")
    pypi_index.add_wheel(module, "1.0")
    name = unique_name("stored")
    kernel = [f"--index-url {pypi_index.url}", module]
    client = Client()
    record = client.environments.create({"name": name, "image": "localhost/py:1", "kernel": kernel})
    pypi_index.add_wheel(module, "2.0")  # a fresh resolution would now give 2.0
    environment = record.spec()
    stored = client.environments.lock(record.ref).lock
    assert stored is not None
    assert lock_of(environment) == stored

    sub = with_locks(submission(tmp_path, JOB.format(env=name, module=module), envs=[environment]))
    assert sub.locks["main"] == stored
    handle = plugins.backend("local", "job").submit(sub)
    status = handle.wait(timeout=240)
    logs = handle.logs()
    assert status.state == "succeeded", logs
    assert "main[0] got 1.0" in logs


def test_a_file_environment_with_the_same_name_and_version_but_another_kernel_is_locked_itself(
    pypi_index: PypiIndex,
) -> None:
    module = unique_name("eyother").replace("-", "_")
    pypi_index.add_wheel(module, "1.0")
    name = unique_name("samename")
    client = Client()
    record = client.environments.create(
        {"name": name, "image": "localhost/py:1", "kernel": [f"--index-url {pypi_index.url}"]}
    )
    changed = record.spec().model_copy(update={"kernel": [f"--index-url {pypi_index.url}", module]})
    lock = lock_of(changed)  # not the registry's lock: that one has another spec hash
    assert lock is not None
    assert [p.name for p in lock.platforms["linux-64"].pip] == [module.replace("_", "-")]
