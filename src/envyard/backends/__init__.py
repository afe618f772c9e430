"""Where it runs: backends for ``job submit``, ``env launch`` and ``nb test``, one mechanism.

- :mod:`.interface`: the one ``Backend`` Protocol (capabilities ``job``, ``launch``,
  ``notebook``), ``Submission``, ``Handle``, ``RunStatus``, secret fingerprints;
- :mod:`.builtin`: the built-in backends as the ``envyard.backends`` entry points name them
  (``local``, ``container``, ``podman``, ``docker``, ``ray``, ``kubernetes``), each composing
  the modules below; third-party backends are entry points of the same group;
- :mod:`.locks`: a version's lock in the forms remote installers take (pinned requirements,
  exact conda builds) and the lock of an environment;
- job execution: :mod:`.local` (+ :mod:`.supervisor`, :mod:`.completion`),
  :mod:`.container` (+ :mod:`.container_cleanup`: exited containers harvested, never piling
  up), :mod:`.ray`, :mod:`.kubernetes` (+ :mod:`.manifests`, pure).
"""
