"""Notebook CI: run notebooks as tests (``envyard nb test``, ``pytest --envyard-nb``).

Entry point for code: :func:`envyard.notebooks.session.run_session` with a
:class:`~envyard.notebooks.session.SessionRequest`; it returns the
:class:`~envyard.notebooks.results.NotebookResult` of every notebook. See ``docs/notebooks.md``.

=================== =============================================================================
module              what
=================== =============================================================================
``discover``        find notebooks under paths (``include``/``exclude`` of ``notebooks.yaml``)
``changed``         ``--changed-since``: notebooks whose file, config, requirements or snapshot
                    files changed in git
``config``          settings from ``notebooks.yaml`` / ``release.json`` / CLI (+ target overrides)
``plan``            file -> :class:`~envyard.notebooks.job.Job`, or a result decided up front
``job``             what a notebook backend is given: Job, KernelPlan, RunOptions, Listener
``envs``            which kernel: registry environment (its lock), overlay venv, kernelspec
``lockoverlay``     a locked kernel's notebook interpreter: lock first, then pip extras, ipykernel
``snapshot``        the minimal working directory; the staged conda file (``add_pip_dependency``)
``inject``          setup/teardown/parameters cells in (parameters as papermill), scrubbed out
``nbmeta``          what nbmake/nbclient users write: mock, post_cell_execute, execution.*
``forkserver``      runs in the kernel's Python: imports ipykernel once, forks kernels
``forkprep``        the fork server's once-only work: warm-up, ipykernel's app and shell
``forkscan``        stand-ins for what a forked kernel's set-up reads of every module
``early``           starts the fork server before the runner's own imports
``provisioner``     jupyter_client provisioner that launches through the fork server
``choice``          which kernel a notebook runs on (:class:`KernelChoice`)
``kernels``         start single-use kernels over IPC sockets (fork, spawn, container command)
``started``         a started kernel: its log, exit status, kill and stop
``execute``         run one notebook cell by cell with nbclient: timeouts, dead kernels
``outcome``         what a notebook's execution ended with; how kernel errors read
``runner``          the warm pool: kernels started ahead, notebooks in parallel, results
``stop``            Ctrl-C: the first SIGINT stops and reports, the second kills
``contain``         nothing a notebook starts outlives the run (run marks, sweeps)
``session``         discover -> changed -> plan -> backend -> results
``container``       ``--backend container``: kernels inside the environment's image (podman)
``ray_backend``     ``--backend ray``: one Ray job per notebook; ``remote`` is the job's side
``junit``           JUnit XML (per notebook or per cell); ``summary``: JSON and HTML
``progress``        live progress with rich
``pytest_plugin``   ``pytest --envyard-nb`` (entry point; ``pytest_items`` loaded only with it)
=================== =============================================================================
"""
