"""envyard.testing.token_issuer: the JWTs distribution's token auth verifies."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from envyard.testing.token_issuer import TokenIssuer, parse_scope


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_parse_scope() -> None:
    assert parse_scope("repository:team/app:pull,push") == {
        "type": "repository",
        "name": "team/app",
        "actions": ["pull", "push"],
    }
    assert parse_scope("registry:catalog:*")["actions"] == ["*"]
    with pytest.raises(ValueError, match="malformed scope"):
        parse_scope("repository")


def test_token_is_signed_by_the_bundled_certificate() -> None:
    with TokenIssuer(users={"u": "p"}) as issuer:
        with httpx.Client(trust_env=False) as http:
            response = http.get(
                issuer.url,
                params={"service": issuer.service, "scope": "repository:a/b:pull"},
                auth=("u", "p"),
            )
            anonymous = http.get(issuer.url)
        assert anonymous.status_code == 401
        assert response.status_code == 200
        token = response.json()["token"]
        header_b64, claims_b64, signature_b64 = token.split(".")
        header = json.loads(_b64decode(header_b64))
        claims = json.loads(_b64decode(claims_b64))
        assert header["alg"] == "RS256"
        cert = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
        assert cert == x509.load_pem_x509_certificate(issuer.key.cert_pem())
        public_key = cert.public_key()
        assert isinstance(public_key, rsa.RSAPublicKey)
        public_key.verify(
            _b64decode(signature_b64),
            f"{header_b64}.{claims_b64}".encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
        assert claims["iss"] == issuer.issuer
        assert claims["aud"] == issuer.service
        assert claims["sub"] == "u"
        assert claims["access"] == [{"type": "repository", "name": "a/b", "actions": ["pull"]}]
        assert claims["nbf"] <= claims["iat"] < claims["exp"]
