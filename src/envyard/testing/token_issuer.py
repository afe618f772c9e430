"""A Docker registry token issuer for tests (the ``realm`` of ``auth: token`` registries).

Implements the Docker Registry v2 token flow that distribution's ``registry/auth/token``
verifies: ``GET /token?service=S&scope=repository:NAME:pull,push`` with HTTP basic credentials
answers ``{"token": JWT, "access_token": JWT, "expires_in": N}``. The JWT is RS256-signed and
carries its self-signed certificate in the ``x5c`` header; that same certificate is the
registry's ``rootcertbundle``, so the registry trusts it. Claims: ``iss`` (the configured
issuer), ``aud`` (the registry's service name), ``sub``, ``exp``/``nbf``/``iat``, ``jti`` and
``access`` (the granted scopes; this issuer grants every requested scope to a valid user).

The HTTP side is the standard library's threading HTTP server, run in a daemon thread.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import threading
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from envyard.testing.ports import LOCALHOST

__all__ = ["SigningKey", "TokenIssuer", "parse_scope"]

TOKEN_LIFETIME = 300


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def parse_scope(scope: str) -> dict[str, Any]:
    """``repository:team/app:pull,push`` -> ``{"type", "name", "actions"}`` (an access entry)."""
    kind, _, rest = scope.partition(":")
    name, _, actions = rest.rpartition(":")
    if not kind or not name:
        msg = f"malformed scope {scope!r}: expected TYPE:NAME:ACTIONS"
        raise ValueError(msg)
    return {"type": kind, "name": name, "actions": [a for a in actions.split(",") if a]}


class SigningKey:
    """An RSA key with a self-signed certificate; signs registry JWTs with an ``x5c`` header."""

    def __init__(self, common_name: str = "envyard-test-token-issuer") -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = dt.datetime.now(dt.UTC)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self._key, hashes.SHA256())
        )

    def cert_pem(self) -> bytes:
        """The certificate in PEM form: the registry's ``rootcertbundle``."""
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def sign(self, claims: Mapping[str, Any]) -> str:
        """Return a compact RS256 JWT for *claims* with the certificate in ``x5c``."""
        cert_der = self.certificate.public_bytes(serialization.Encoding.DER)
        header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(cert_der).decode()]}
        signing_input = ".".join(
            _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
        )
        signature = self._key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64url(signature)}"


class TokenIssuer:
    """The token endpoint at ``{url}`` (``http://127.0.0.1:PORT/token``), in a thread.

    *users* maps usernames to passwords; with *allow_anonymous* a request without credentials
    also gets a token. Use as a context manager or call :meth:`start` / :meth:`stop`.
    """

    def __init__(
        self,
        *,
        service: str = "envyard-test-registry",
        issuer: str = "envyard-test-issuer",
        users: Mapping[str, str] | None = None,
        allow_anonymous: bool = False,
    ) -> None:
        self.service = service
        self.issuer = issuer
        self.users = dict(users or {})
        self.allow_anonymous = allow_anonymous
        self.key = SigningKey()
        self.issued: list[dict[str, Any]] = []
        self._server = ThreadingHTTPServer((LOCALHOST, 0), _make_handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="envyard-token-issuer", daemon=True
        )

    @property
    def port(self) -> int:
        """The port the issuer listens on."""
        port: int = self._server.server_address[1]
        return port

    @property
    def url(self) -> str:
        """The realm: ``http://127.0.0.1:PORT/token``."""
        return f"http://{LOCALHOST}:{self.port}/token"

    def write_cert_bundle(self, path: Path) -> Path:
        """Write the registry's ``rootcertbundle`` to *path* and return it."""
        path.write_bytes(self.key.cert_pem())
        return path

    def issue(self, subject: str, scopes: list[str], *, audience: str | None = None) -> str:
        """Return a signed token granting *scopes* to *subject* (no HTTP involved)."""
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": subject,
            "aud": audience or self.service,
            "exp": now + TOKEN_LIFETIME,
            "nbf": now - 5,
            "iat": now,
            "jti": secrets.token_hex(16),
            "access": [parse_scope(s) for s in scopes],
        }
        self.issued.append(claims)
        return self.key.sign(claims)

    def authenticate(self, authorization: str | None) -> str | None:
        """Return the subject for an ``Authorization`` header value, or None if rejected."""
        if authorization is None or not authorization.startswith("Basic "):
            return "anonymous" if self.allow_anonymous else None
        try:
            decoded = base64.b64decode(authorization[6:], validate=True).decode()
        except ValueError:
            return None
        username, _, password = decoded.partition(":")
        expected = self.users.get(username)
        if expected is not None and secrets.compare_digest(expected, password):
            return username
        return None

    def start(self) -> TokenIssuer:
        """Start serving in a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=10)
        self._server.server_close()

    def __enter__(self) -> TokenIssuer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _make_handler(issuer: TokenIssuer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path != "/token":
                self._reply(404, {"error": "not found"})
                return
            query = parse_qs(url.query)
            subject = issuer.authenticate(self.headers.get("Authorization"))
            if subject is None:
                self._reply(401, {"error": "invalid credentials"}, basic_challenge=True)
                return
            scopes = [s for value in query.get("scope", []) for s in value.split(" ") if s]
            try:
                token = issuer.issue(subject, scopes, audience=query.get("service", [None])[0])
            except ValueError as exc:
                self._reply(400, {"error": str(exc)})
                return
            issued_at = dt.datetime.now(dt.UTC).isoformat()
            body = {"token": token, "access_token": token, "expires_in": TOKEN_LIFETIME}
            self._reply(200, {**body, "issued_at": issued_at})

        def _reply(
            self, status: int, body: dict[str, Any], *, basic_challenge: bool = False
        ) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if basic_challenge:
                self.send_header("WWW-Authenticate", 'Basic realm="envyard-test-issuer"')
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Keep the test output quiet: requests are recorded in ``issuer.issued``."""

    return Handler
