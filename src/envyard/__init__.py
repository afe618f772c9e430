"""Envyard: define an ML environment once and run it anywhere.

Packages, each named for what it does (``docs/architecture.md`` has the dependency rules):

==================== ==========================================================================
package / module     what
==================== ==========================================================================
``spec/``            the file kinds: frozen pydantic models, YAML loading with positions, schemas
``yamlio/``          the one YAML module: positions at libyaml speed, writing, round-trip edits
``registry/``        the metastore: versioned environments and prerequisites, runs, tokens
``locking/``         kernels locked to exact packages, and those locks installed
``launch/``          a command run in an environment's kernel (``env launch``)
``assets/``          asset repositories in the azureml-assets layout: validate, pin, release
``overrides/``       per-target rules applied to staged copies of component and job specs
``prerequisites/``   prerequisite plugins and the bootstrap script of a task role
``jobs/``            job files: load, resolve, render, submit; stored runs, their logs
``backends/``        where it runs: one ``Backend`` Protocol for jobs, launches and notebooks
``notebooks/``       notebook CI (``nb test``, the pytest plugin)
``client/``          the SDK: one ``Client``, in-process or over HTTP
``service/``         the REST API and the web UI (``envyard serve``)
``cli/``             the ``envyard`` command: thin click commands over the packages above
``demo/``            ``envyard demo``: the whole flow on embedded defaults
``testing/``         real servers for tests (OCI registry, package index, PostgreSQL, Ray...)
``errors``           every error a user sees (file:line, field, what to do)
``settings``         where Envyard keeps its state, read from the environment on each call
``plugins``          the only reader of entry points (backends, prerequisites, resolvers)
``atomicfile``       the one way to write a file atomically
``names``            the one name rule (environments, prerequisites, jobs, assets)
``regexes``          the one way to compile a regular expression a user wrote
``__main__``         ``python -m envyard`` and the ``envyard`` command's entry point
==================== ==========================================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Client", "__version__"]

if TYPE_CHECKING:
    from envyard.client import Client


def __getattr__(name: str) -> Any:
    """``envyard.Client`` is imported on first use, so ``import envyard`` stays light."""
    if name == "Client":
        from envyard.client import Client

        return Client
    raise AttributeError(f"module 'envyard' has no attribute {name!r}")
