"""Run pypiserver's own WSGI app, configured by its own command line, under waitress.

``python -m envyard.testing.pypiserver_main run [pypiserver run options] DIR`` behaves like
``pypi-server run ...`` with one difference: the HTTP server. pypiserver's default
(``wsgiref``) answers one request at a time and listens with a backlog of 5, so a client that
opens many connections at once — uv does, pip does not — gets its extra SYNs dropped and
waits for TCP's one-second retransmission. waitress (pypiserver's documented alternative
deployment) keeps the same app, routes and options but accepts a 1024-deep backlog and
answers from a small thread pool. The packages, pages and answers are pypiserver's.
"""

from __future__ import annotations

import sys

from pypiserver import app_from_config, setup_routes_from_config
from pypiserver.config import Config, RunConfig

THREADS = 4
BACKLOG = 1024


def main(argv: list[str]) -> int:
    config = Config.from_args(argv)
    if not isinstance(config, RunConfig):
        sys.exit("only pypiserver's 'run' command is supported here")
    app = setup_routes_from_config(app_from_config(config), config)
    import waitress

    waitress.serve(
        app,
        host=config.host,
        port=config.port,
        threads=THREADS,
        backlog=BACKLOG,
        ident="pypiserver",
        _quiet=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
