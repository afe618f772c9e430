"""The environment registry: a metastore of versioned environments and prerequisites.

Importing this package is cheap; SQLAlchemy is imported by the modules that need it.

================================ ===============================================================
module                           what
================================ ===============================================================
:mod:`.records`                  frozen records the service returns (no SQLAlchemy): environment,
                                 prerequisite, run and token records, :class:`Page`
:mod:`.refs`                     ``name`` / ``name@version`` references
:mod:`.kinds`                    what differs between environments and prerequisites
:mod:`.db`                       engines from ``load_settings().db_url``, sessions, migrations
:mod:`.migrate`                  Alembic migrations (``migrations/``) run programmatically
:mod:`.freshness`                a near-free "anything committed since?" check (read caches)
:mod:`.models`                   SQLAlchemy tables
:mod:`.service`                  :class:`RegistryService`: every lifecycle rule lives here
:mod:`.queries`, :mod:`.writes`  its read and write helpers
:mod:`.fastread`                 the hot ``get`` path: one prebuilt query, cached JSON
:mod:`.store`                    :class:`Registry`: all services on one database
:mod:`.errors`                   :class:`PreconditionFailedError` (If-Match did not match)
:mod:`.tokens`                   API tokens (stored as sha256 hashes) and scopes
:mod:`.runs`                     :class:`RunStore`: run records for the job backends
:mod:`.run_states`               a run's states (imports nothing: the CLI's choices use it)
:mod:`.actor`                    who writes through the local metastore (``user:<login>``)
:mod:`.conda`                    ``conda env export`` files turned into kernels
:mod:`.locks`                    locking a body before it is stored; reading, diffing and
                                 searching stored locks (:class:`.LockReads`)
:mod:`.masking`                  URL credentials masked in what readers are shown, restored
                                 when a shown spec is written back
================================ ===============================================================

Lifecycle of a version: ``active -> deprecated (replaced_by, delete_on) -> archived``.
``name`` resolves to the newest active version (or, when every version is deprecated, the newest
deprecated one, so running work keeps working until it is archived); ``name@version`` resolves
to that version in any state. Archived versions are hidden from lists.
"""

MAX_OFFSET = 2**63 - 1
"""The largest list ``offset`` (what SQLite's and PostgreSQL's 64-bit integers hold)."""
