"""`spotcheck diff DIR`: replay a recording against a fresh in-process twin and compare.

The twin is built for the occasion (its own store in a scratch folder), seeded with what the
recording showed of upstream's workspace (`seed`; `--no-seed` keeps the fixture workspace) so
that different workspaces do not read as differences. Requests go in recorded order with the
twin's own fixture credential (the recording holds none), and the ids the twin assigns are
mapped to the ones upstream gave, so that later requests address the same objects:

    upstream: POST /contracts/ -> {"id": "T-9001"}     twin: -> {"id": "T-1"}
    later:    GET /contracts/T-9001/status    is replayed as   GET /contracts/T-1/status
"""

from __future__ import annotations

import json
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockserver.golive.checks import ExchangeChecker, SchemaSource
from mockserver.golive.compare import DATA, SCHEMA, TWIN, Comparer, Difference
from mockserver.golive.har import (
    Message,
    body_text,
    path_of,
    read_entries,
    request_of,
    response_of,
)
from mockserver.golive.scrub import is_secret_header
from mockserver.golive.seed import seed_fixtures
from mockserver.golive.webhooks import compare_delivery, twin_payloads
from mockserver.hopheaders import HOP_BY_HOP
from mockserver.settings import DEFAULT_FIXTURES, Settings
from spotcheck.client.families import FAMILIES, Credential, family
from spotcheck.client.tokens import token_grant

# Not replayed: this hop's connection, and whom the call acts as (upstream's users are not the
# twin's; the twin's credential acts as its own user).
_DROPPED = HOP_BY_HOP | {"accept-encoding", "user-email"}


@dataclass(frozen=True)
class DiffOptions:
    recording: Path
    schema: SchemaSource = field(default_factory=SchemaSource)
    seed: bool = True


@dataclass
class DiffResult:
    # "METHOD /path" per exchange replayed, then "webhook ACTIVITY" per delivery compared
    replayed: list[str] = field(default_factory=list)
    skipped: int = 0  # refused writes, upstream failures, undocumented paths
    differences: list[Difference] = field(default_factory=list)

    def of(self, klass: str) -> list[Difference]:
        return [d for d in self.differences if d.klass == klass]

    @property
    def twin_wrong(self) -> bool:
        return bool(self.of(TWIN))

    @property
    def deliveries(self) -> int:
        return sum(item.startswith("webhook ") for item in self.replayed)

    def counts(self) -> dict[str, int]:
        return {klass: len(self.of(klass)) for klass in (TWIN, SCHEMA, DATA)}


def run_diff(options: DiffOptions) -> DiffResult:
    """Replay `options.recording` against a fresh twin; every difference, classified."""
    from starlette.testclient import TestClient

    from mockserver.app import create_app

    entries = read_entries(options.recording, "proxy")
    source = options.schema
    contract = source.load()
    with tempfile.TemporaryDirectory() as scratch:
        fixtures = DEFAULT_FIXTURES
        if options.seed:
            fixtures = Path(scratch) / "fixtures"
            seed_fixtures(entries, contract, fixtures)
        settings = Settings(
            spec=source.spec,
            profile=contract.profile,
            overlay_file=source.overlay_file,
            fixtures=str(fixtures),
            db=str(Path(scratch) / "twin.db"),
            rate_limit=0,
            token_rate_limit=0,
            webhook_delivery="loopback",
            cache_dir=source.cache_dir,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            app = create_app(settings)
        with TestClient(app) as client:
            replay = _Replay(client, contract)
            result = replay.run(entries)
        # Real deliveries (`webhooks listen --record`) against what the twin emitted meanwhile.
        workspace = app.runtime.workspace.id
        for item in read_entries(options.recording, "webhooks"):
            activity = str((item.get("_spotcheck") or {}).get("activity") or "")
            result.replayed.append(f"webhook {activity or '?'}")
            emitted = twin_payloads(app.runtime.store, workspace, activity)
            result.differences += compare_delivery(
                len(result.replayed), item, replay.comparer, emitted, replay.same
            )
        return result


class _Replay:
    def __init__(self, client: Any, contract: Any) -> None:
        self.client = client
        self.checker = ExchangeChecker(contract)
        self.comparer = Comparer(self.checker)
        # the twin's side of the call is a client's: its family's headers and fixture credential
        self.family = family(contract.profile)
        self.token_path = self.family.token_path(contract.document)
        self.credential = Credential(*self.family.fixture)
        self.token = ""
        self.same: dict[str, str] = {}  # upstream id -> the twin's id for the same object

    def run(self, entries: list[dict[str, Any]]) -> DiffResult:
        result = DiffResult()
        for item in entries:
            notes = item.get("_spotcheck") or {}
            method = item["request"]["method"]
            path = path_of(item)
            operation = self.checker.operation(method, path)
            if notes.get("refused") or notes.get("upstream_error") or operation is None:
                result.skipped += 1
                continue
            query = [(q["name"], q["value"]) for q in item["request"].get("queryString", [])]
            sent, upstream = request_of(item), response_of(item)
            status = item["response"]["status"]
            twin_status, twin = self._send(method, path, query, sent)
            result.replayed.append(f"{method} {path}")
            verdict = self.checker.check(method, path, query, sent, status, upstream)
            number = len(result.replayed)
            result.differences += self.comparer.compare(
                number, operation, verdict, (status, upstream), (twin_status, twin), self.same
            )
            self._learn_ids(method, path, (status, upstream), (twin_status, twin))
        return result

    def _send(
        self, method: str, path: str, query: list[tuple[str, str]], sent: Message
    ) -> tuple[int, Message]:
        if method == "POST" and path == self.token_path:
            answer = self.client.post(path, data=self._token_form())
            self.token = str((_json(answer.content) or {}).get("access_token", ""))
        else:
            headers = {
                name: value
                for name, value in sent.headers
                if name.lower() not in _DROPPED and not is_secret_header(name)
            }
            headers.update(self._credential_headers(headers))
            answer = self.client.request(
                method,
                "/".join(self.same.get(part, part) for part in path.split("/")),
                params=[(name, self.same.get(value, value)) for name, value in query],
                headers=headers,
                content=self._mapped_body(sent),
            )
        text, is_base64 = body_text(answer.content)
        media = answer.headers.get("content-type", "")
        return answer.status_code, Message(list(answer.headers.items()), text, media, is_base64)

    def _token_form(self) -> dict[str, str]:
        return token_grant(self.credential.client_id, self.credential.client_secret)

    def _credential_headers(self, recorded: dict[str, str]) -> dict[str, str]:
        if self.family.uses_token and not self.token:
            answer = self.client.post(self.token_path, data=self._token_form())
            self.token = str((_json(answer.content) or {}).get("access_token", ""))
        # a dated version the recorded request asked for, in any family's version header
        pinned = {entry.version_header.lower() for entry in FAMILIES if entry.version_header}
        version = next((v for k, v in recorded.items() if k.lower() in pinned), None)
        credential = Credential(
            self.credential.client_id, self.credential.client_secret, api_version=version
        )
        return self.family.headers(credential, self.token)

    def _mapped_body(self, sent: Message) -> bytes:
        body = sent.json()
        if body is None:
            return sent.raw()
        return json.dumps(_map_values(body, self.same)).encode("utf-8")

    def _learn_ids(
        self, method: str, path: str, upstream: tuple[int, Message], twin: tuple[int, Message]
    ) -> None:
        """After a create, map upstream's id of the new object to the twin's. Only the keys that
        name the created object count (`id`, `contract_id` for `/contracts/`): a reference
        such as `contract_type_id` names an object both already had."""
        (status, up), (twin_status, tw) = upstream, twin
        mine, theirs = up.json(), tw.json()
        if method != "POST" or not (200 <= status < 300 and 200 <= twin_status < 300):
            return
        if not (isinstance(mine, dict) and isinstance(theirs, dict)):
            return
        for key in _identifying_keys(path):
            value, other = mine.get(key), theirs.get(key)
            scalars = isinstance(value, str | int) and isinstance(other, str | int)
            if scalars and str(value) != str(other):
                self.same[str(value)] = str(other)


def _identifying_keys(path: str) -> set[str]:
    """`id` and the created object's own id field: `/contracts/` -> `contract_id`, `contractId`."""
    literals = [part for part in path.split("/") if part and not part.startswith("{")]
    keys = {"id", "uuid", "composite_id"}
    if literals:
        name = literals[-1]
        for single in {name, name.removesuffix("s"), name.removesuffix("ies") + "y"}:
            keys |= {f"{single}_id", f"{single}Id"}
    return keys


def _map_values(value: Any, same: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {key: _map_values(item, same) for key, item in value.items()}
    if isinstance(value, list):
        return [_map_values(item, same) for item in value]
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value) in same:
        mapped = same[str(value)]
        return int(mapped) if isinstance(value, int) and mapped.isdigit() else mapped
    return value


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None
