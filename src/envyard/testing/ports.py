"""Free TCP ports on the loopback interface.

Every server started by :mod:`envyard.testing` listens on ``127.0.0.1`` on a port the kernel
picks, so parallel pytest workers (``pytest -n``) never collide.
"""

from __future__ import annotations

import socket

__all__ = ["LOCALHOST", "free_port"]

LOCALHOST = "127.0.0.1"


def free_port(host: str = LOCALHOST) -> int:
    """Return a TCP port on *host* that nothing listens on right now.

    The kernel picks the port from its ephemeral range; the socket is closed before returning,
    so a server started right after can bind it.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port
