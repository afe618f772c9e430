"""Credentials in URLs, masked in everything the registry shows to a reader.

A version stores its spec and lock as written and resolved, credentials included (a launch must
authenticate to the channel or index); what is *shown* — the REST API's environment JSON and
locks, the web UI's pages, ``env get | export | lock | list | versions | diff`` — goes through
:func:`mask_text` (or :func:`mask_data` for structures about to be dumped):

- ``scheme://user:password@host`` -> ``scheme://user:***@host`` (conda channels, package URLs,
  pip ``--index-url``/``--extra-index-url``/``--find-links``, ``pkg @ https://...``);
- ``http(s)://token@host``, ``git+https://token@host`` (a token as the user name) -> ``http(s)://***@host``;
- anaconda.org-style tokens in the path, ``https://host/t/<token>/...`` -> ``/t/***/``;
- ``?token=``, ``access_token``, ``api_key``, ``apikey``, ``password``, ``secret`` query values.

A spec written back with a masked value (``env export`` then ``env update -f``, the UI's edit
form) gets the stored credential back from the versions of the same name
(:func:`restore_masked`); a masked value nothing can restore is refused, never stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from envyard.errors import SpecError

__all__ = ["MASK", "mask_data", "mask_text", "restore_masked", "without_masked"]

MASK = "***"

_USERINFO = re.compile(  # anchored on "://": scanning for schemes costs 30 times more
    r"://(?P<user>[^\s/:@\"'<>\\]*)(?::(?P<password>[^\s/@\"<>\\]*))?@(?P<host>[^\s/@\"'<>\\?#]+)"
)  # (a password may hold `'`, a legal userinfo character)
_PATH_TOKEN = re.compile(r"(?P<prefix>://[^\s/@\"'<>\\]+/t/)(?P<secret>[^\s/\"'<>\\]+)(?=/)")
_QUERY_SECRET = re.compile(  # the URL up to the value: a restore is keyed on host and path
    r"(?P<prefix>://[^\s/\"'<>\\?#]+[^\s\"'<>\\?#]*\?(?:[^\s\"'<>#\\]*?&(?:amp;)?)?"
    r"(?:token|access_token|api_key|apikey|password|secret)=)"
    r"(?P<secret>[^&\s\"'<>#\\]+)",
    re.IGNORECASE,
)  # (`&amp;`: the web UI masks HTML, where `&` is escaped)


_MASKED_USERINFO = re.compile(r"://(?:[^\s/:@\"'<>\\]*:)?\*\*\*@")
_MASKED_PATH = re.compile(r"/t/\*\*\*(?=/)")
_MASKED_QUERY = re.compile(
    r"([?&])(?:token|access_token|api_key|apikey|password|secret)=\*\*\*(&)?", re.IGNORECASE
)


def without_masked(text: str) -> str:
    """*text* with every masked credential removed (``https://alice:***@h`` -> ``https://h``,
    ``?token=***`` dropped): what a spec read from a server (masked) installs from, so the
    installer authenticates with its own credentials (netrc, uv/rattler settings) instead of
    sending ``***``."""
    if MASK not in text:
        return text
    text = _MASKED_USERINFO.sub("://", text)
    text = _MASKED_PATH.sub("", text)
    return _MASKED_QUERY.sub(lambda m: m.group(1) if m.group(2) else "", text)


def _userinfo(match: re.Match[str]) -> str:
    user, password, host = match.group("user", "password", "host")
    if password is not None:
        return f"://{user}:{MASK}@{host}"
    scheme = match.string[max(0, match.start() - 5) : match.start()].lower()
    if user and scheme.endswith(("http", "https")):  # a token as the user name (git+https too)
        return f"://{MASK}@{host}"
    return match.group(0)  # ssh://git@host: nothing secret


def _secret(match: re.Match[str]) -> str:
    return match.group("prefix") + MASK


def mask_text(text: str) -> str:
    """*text* with the credentials of every URL in it replaced by ``***``."""
    if "://" not in text:
        return text
    if "@" in text:
        text = _USERINFO.sub(_userinfo, text)
    if "/t/" in text:
        text = _PATH_TOKEN.sub(_secret, text)
    return _QUERY_SECRET.sub(_secret, text) if "?" in text or "&" in text else text


def mask_data(value: Any) -> Any:
    """A copy of a JSON-like structure with :func:`mask_text` applied to every string."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {k: mask_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_data(v) for v in value]
    return value


def _originals(texts: Iterable[str]) -> dict[str, str]:
    """``masked form -> original`` of every credential-bearing piece of *texts*."""
    found: dict[str, str] = {}
    for text in texts:
        for pattern, replace in (
            (_USERINFO, _userinfo),
            (_PATH_TOKEN, _secret),
            (_QUERY_SECRET, _secret),
        ):
            for match in pattern.finditer(text):
                shown = replace(match)
                if shown != match.group(0):
                    found.setdefault(shown, match.group(0))
    return found


def _masked_left(text: str) -> list[str]:
    """The URL pieces of *text* whose credential is the mask itself."""
    left = [
        m.group(0)
        for m in _USERINFO.finditer(text)
        if m.group("password") == MASK or (m.group("password") is None and m.group("user") == MASK)
    ]
    for pattern in (_PATH_TOKEN, _QUERY_SECRET):
        left += [m.group(0) for m in pattern.finditer(text) if m.group("secret") == MASK]
    return left


def restore_masked(
    document: dict[str, Any], stored: Iterable[Mapping[str, Any]], file: str = "<input>"
) -> dict[str, Any]:
    """*document* with each masked credential (``***``) put back from the *stored* documents of
    the same name; a masked credential none of them holds is refused (it would be stored)."""
    text = json.dumps(document, ensure_ascii=False)
    if MASK not in text:
        return document
    texts = (json.dumps(dict(d), ensure_ascii=False) for d in stored)
    for shown, original in _originals(texts).items():
        text = text.replace(json.dumps(shown)[1:-1], json.dumps(original)[1:-1])
    left = _masked_left(text)
    if left:
        raise SpecError.at(
            file,
            f"'{left[0]}' holds a masked credential ({MASK}) that no version of this name has",
            hint="write the real credential (`env export`, the API and the UI show it masked)",
        )
    restored: dict[str, Any] = json.loads(text)
    return restored
