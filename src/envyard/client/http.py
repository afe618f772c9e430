"""The HTTP transport: the REST API of an Envyard server, through httpx.

Error responses become the same exceptions the service raises in-process (422 -> SpecError
with the server's located diagnostics, 404 -> NotFoundError, 409 -> ConflictError, 412 ->
PreconditionFailedError, 401/403 -> AuthError).
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from envyard.client.transport import Record
from envyard.errors import (
    AuthError,
    ConfigError,
    ConflictError,
    Diagnostic,
    EnvyardError,
    NotFoundError,
    ResolveError,
    SpecError,
)
from envyard.locking.diff import LockDiff
from envyard.locking.search import PackageMatch
from envyard.registry.errors import PreconditionFailedError
from envyard.registry.records import (
    EnvironmentRecord,
    Page,
    PrerequisiteRecord,
    RunRecord,
    TokenRecord,
    VersionLock,
)

RECORDS: dict[str, type[EnvironmentRecord] | type[PrerequisiteRecord]] = {
    "environments": EnvironmentRecord,
    "prerequisites": PrerequisiteRecord,
}


def _error(response: httpx.Response) -> EnvyardError:
    try:
        body = response.json()
    except ValueError:
        body = {"detail": response.text[:300] or response.reason_phrase}
    if not isinstance(body, dict):
        body = {"detail": str(body)}
    message = str(body.get("detail") or response.reason_phrase)
    hint = body.get("hint")
    status = response.status_code
    if status == 422 and body.get("errors"):
        return SpecError([_diagnostic(d) for d in body["errors"]])
    if status == 404:
        return NotFoundError(message, hint=hint)
    if status == 412:
        return PreconditionFailedError(message, hint=hint)
    if status == 409:
        return ConflictError(message, hint=hint)
    if status in (401, 403):
        return AuthError(message, status=status, hint=hint)
    if body.get("type") == "ResolveError":  # a kernel that cannot be locked
        return ResolveError(message, hint=hint)
    return EnvyardError(f"server answered {status}: {message}", hint=hint)


def _diagnostic(data: dict[str, Any]) -> Diagnostic:
    return Diagnostic(
        str(data.get("file", "<input>")), int(data.get("line", 0)), int(data.get("col", 0)),
        str(data.get("field", "")), str(data.get("message", "")), data.get("hint"),
    )  # fmt: skip


def _body(body: Any) -> Any:
    if isinstance(body, BaseModel):
        return body.model_dump(mode="json", by_alias=True, exclude_none=True)
    return body


class HttpTransport:
    def __init__(self, url: str, token: str | None = None, *, timeout: float = 30.0) -> None:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.url = url.rstrip("/")
        self.http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    @property
    def where(self) -> str:
        return self.url

    def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Any = None,
        if_match: str | None = None,
    ) -> httpx.Response:
        headers = {"If-Match": _quoted(if_match)} if if_match else None
        try:
            response = self.http.request(method, path, json=json, params=params, headers=headers)
        except httpx.HTTPError as exc:
            raise ConfigError(
                f"cannot reach the Envyard server at {self.url}: {exc}",
                hint="check --url / ENVYARD_URL and that `envyard serve` is running",
            ) from None
        if response.is_error:
            raise _error(response)
        return response

    def _record(self, kind: str, response: httpx.Response) -> Record:
        return RECORDS[kind].model_validate_json(response.content)

    def create(self, kind: str, body: Any, *, platforms: Sequence[str] = ()) -> Record:
        params = {"platform": list(platforms)} if platforms else None
        response = self._call("POST", f"/api/v1/{kind}", json=_body(body), params=params)
        return self._record(kind, response)

    def get(self, kind: str, ref: str) -> Record:
        return self._record(kind, self._call("GET", f"/api/v1/{kind}/{_q(ref)}"))

    def resolve(self, kind: str, ref: str) -> Record:
        return self._record(kind, self._call("GET", f"/api/v1/{kind}/{_q(ref)}/resolve"))

    def list(
        self,
        kind: str,
        *,
        tag: builtins.list[str],
        prefix: str | None,
        state: str | None,
        limit: int,
        offset: int,
    ) -> Page[Record]:
        params: dict[str, Any] = {"limit": limit, "offset": offset, "tag": tag}
        if prefix:
            params["prefix"] = prefix
        if state:
            params["state"] = state
        data = self._call("GET", f"/api/v1/{kind}", params=params).json()
        items = [RECORDS[kind].model_validate(i) for i in data["items"]]
        return Page[Record](items=items, total=data["total"], limit=limit, offset=offset)

    def versions(self, kind: str, name: str, *, include_archived: bool) -> builtins.list[Record]:
        params = {"include_archived": str(include_archived).lower()}
        data = self._call("GET", f"/api/v1/{kind}/{_q(name)}/versions", params=params).json()
        return [RECORDS[kind].model_validate(i) for i in data]

    def update(
        self, kind: str, name: str, body: Any, *, replace: bool, if_match: str | None,
        platforms: Sequence[str] = (),
    ) -> Record:  # fmt: skip
        method = "PUT" if replace else "PATCH"
        path = f"/api/v1/{kind}/{_q(name)}"
        params = {"platform": list(platforms)} if platforms else None
        response = self._call(method, path, json=_body(body), if_match=if_match, params=params)
        return self._record(kind, response)

    def relock(self, name: str, *, platforms: Sequence[str]) -> Record:
        params = {"platform": list(platforms)} if platforms else None
        response = self._call("POST", f"/api/v1/environments/{_q(name)}/relock", params=params)
        return self._record("environments", response)

    def lock(self, ref: str) -> VersionLock:
        response = self._call("GET", f"/api/v1/environments/{_q(ref)}/lock")
        return VersionLock.model_validate_json(response.content)

    def diff(self, new: str, old: str | None, *, platform: str | None) -> LockDiff:
        params = {k: v for k, v in {"base": old, "platform": platform}.items() if v}
        response = self._call("GET", f"/api/v1/environments/{_q(new)}/diff", params=params)
        return LockDiff.model_validate_json(response.content)

    def search_packages(self, query: str, *, limit: int) -> builtins.list[PackageMatch]:
        params = {"package": query, "limit": limit}
        data = self._call("GET", "/api/v1/environments/-/search", params=params).json()
        return [PackageMatch.model_validate(m) for m in data]

    def deprecate(
        self,
        kind: str,
        ref: str,
        *,
        replaced_by: str | None,
        delete_on: dt.date | None,
        if_match: str | None,
    ) -> Record:
        body = {
            "replaced_by": replaced_by,
            "delete_on": delete_on.isoformat() if delete_on else None,
        }
        path = f"/api/v1/{kind}/{_q(ref)}/deprecate"
        return self._record(kind, self._call("POST", path, json=body, if_match=if_match))

    def archive(self, kind: str, ref: str, *, if_match: str | None) -> Record:
        path = f"/api/v1/{kind}/{_q(ref)}/archive"
        return self._record(kind, self._call("POST", path, if_match=if_match))

    def delete(self, kind: str, ref: str, *, if_match: str | None) -> None:
        self._call("DELETE", f"/api/v1/{kind}/{_q(ref)}", if_match=if_match)

    def run_create(
        self,
        job_name: str,
        spec: dict[str, Any],
        target: str | None,
        backend: str,
        created_by: str | None,
    ) -> RunRecord:
        raise _runs_read_only()

    def run_update(self, run_id: str, changes: dict[str, Any]) -> RunRecord:
        raise _runs_read_only()

    def run_get(self, run_id: str) -> RunRecord:
        return RunRecord.model_validate_json(
            self._call("GET", f"/api/v1/runs/{_q(run_id)}").content
        )

    def run_list(self, state: str | None, limit: int) -> builtins.list[RunRecord]:
        params: dict[str, Any] = {"limit": limit} | ({"state": state} if state else {})
        return [
            RunRecord.model_validate(r)
            for r in self._call("GET", "/api/v1/runs", params=params).json()
        ]

    def run_logs(self, run_id: str, *, follow: bool) -> Iterator[str]:
        path = f"/api/v1/runs/{_q(run_id)}/logs"
        if not follow:
            yield self._call("GET", path).text
            return
        try:
            with self.http.stream(
                "GET", path, params={"follow": "true"}, timeout=httpx.Timeout(30, read=None)
            ) as response:
                if response.is_error:
                    response.read()
                    raise _error(response)
                for line in response.iter_lines():
                    yield line + "\n"
        except httpx.HTTPError as exc:
            raise ConfigError(
                f"lost the log stream of run {run_id} from {self.url}: {exc}",
                hint="run it again: the stream starts from the first line",
            ) from None

    def token_create(self, name: str, scope: str) -> tuple[TokenRecord, str]:
        data = self._call("POST", "/api/v1/tokens", json={"name": name, "scope": scope}).json()
        return TokenRecord.model_validate(data["record"]), str(data["token"])

    def token_list(self, include_revoked: bool) -> builtins.list[TokenRecord]:
        params = {"include_revoked": str(include_revoked).lower()}
        return [
            TokenRecord.model_validate(t)
            for t in self._call("GET", "/api/v1/tokens", params=params).json()
        ]

    def token_revoke(self, id_or_name: str) -> builtins.list[TokenRecord]:
        data = self._call("POST", f"/api/v1/tokens/{_q(id_or_name)}/revoke").json()
        return [TokenRecord.model_validate(t) for t in data]

    def close(self) -> None:
        self.http.close()


def _q(part: str) -> str:
    """One path segment: '/' and every other reserved character escaped, and '.'/'..' too
    (a client would otherwise resolve them: `get("..")` must not reach another resource)."""
    quoted = quote(part, safe="@")
    return quoted.replace(".", "%2E") if quoted in (".", "..") else quoted


def _quoted(etag: str) -> str:
    return etag if etag.startswith(('"', "W/")) or etag == "*" else f'"{etag}"'


def _runs_read_only() -> ConfigError:
    return ConfigError(
        "run records are written by the backends on the machine that runs the job",
        hint="use Client() without a URL (the local metastore) to create or update runs",
    )
