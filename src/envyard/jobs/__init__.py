"""Jobs: load and validate a job file, resolve what it refers to, render, submit, track runs.

:mod:`.load` (file -> validated job), :mod:`.resolve` (environments and catalogue
prerequisites from the registry or local files), :mod:`.plan` (every task role rendered),
:mod:`.stage` (target overrides on staged copies), :mod:`.runs` (submit and follow runs),
:mod:`.handles` (a backend by name; a stored run's handle), :mod:`.runlogs` (a stored run
refreshed from its backend, its logs, cancel; shared by the CLI, API, UI and SDK),
:mod:`.rerun` (a stored run's job submitted again), :mod:`.manifests` (Kubernetes manifests).
"""
