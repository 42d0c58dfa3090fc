"""Locust users for any schema and auth profile: the traffic is derived from the schema.

    locust -f load/anyschema.py --headless --host http://127.0.0.1:8080 \\
        --schema openapi/samples/travel-users.yaml --load-profile smoke --min-rps 5

Readers GET every collection the schema lists; writers POST a schema-valid body to its
collections, read the object back, replace it (PUT, the whole object) and delete it where the
schema documents those. Authentication follows the schema's profile
(or --auth-profile): an OAuth token fetched once per process and reused until it expires,
an API key and secret (+ --api-version), or SpotDraft's client headers. Options, rate cap and
thresholds as in load/locustfile.py (load/common.py).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from common import IntegratorUser, ProfileShape, load_document  # type: ignore[import-not-found]
from locust import events, task
from locust.env import Environment
from locust.runners import WorkerRunner

from mockserver.behaviours.synth import Synthesizer
from mockserver.spec.resource_model import ResourceModel
from mockserver.spec.versions import GRAPHQL_KEY
from mockserver.spec.walk import operations
from spotcheck.client.families import OAUTH2, family

__all__ = ["ProfileShape", "SchemaReader", "SchemaWriter"]


@dataclass
class Create:
    path: str
    body: Any
    item_path: str | None  # path of one created object (GET), "{id}" to fill in
    item_methods: frozenset[str] = frozenset()  # what else the item path takes: put, delete
    id_field: str = "id"  # where the answer names the created object (the resource model's)


@dataclass
class TrafficPlan:
    reads: list[str] = field(default_factory=list)
    creates: list[Create] = field(default_factory=list)


PLAN = TrafficPlan()


def plan_traffic(document: dict[str, Any]) -> TrafficPlan:
    """Collections to read and to create in: operations without path parameters."""
    synthesizer = Synthesizer(document).for_requests()  # what a client sends: no readOnly
    skip = {family(OAUTH2).token_path(document)}  # the token endpoint is the client's own
    item_methods: dict[str, set[str]] = {}
    for path, method, _ in operations(document):
        if path.rstrip("/").endswith("}") and path.count("{") == 1:
            item_methods.setdefault(path, set()).add(method)
    item_gets = {
        path: path[: path.rindex("/{")]
        for path, methods in item_methods.items()
        if "get" in methods
    }
    plan = TrafficPlan()
    model = ResourceModel(document)
    for path, method, operation in operations(document):
        if "{" in path or path in skip or GRAPHQL_KEY in operation:
            continue
        if method == "get":
            plan.reads.append(path + _required_query(document, path, operation, synthesizer))
        elif method == "post":
            content = (operation.get("requestBody") or {}).get("content") or {}
            schema = (content.get("application/json") or {}).get("schema")
            if schema is None:
                continue
            item = next((item for item, base in item_gets.items() if base == path), None)
            methods = frozenset(item_methods.get(item, set())) if item else frozenset()
            found = model.role("post", path)
            id_field = found[0].id_field if found else "id"
            body = synthesizer.example(schema)
            plan.creates.append(Create(path, body, item, methods, id_field))
    return plan


def _required_query(
    document: dict[str, Any], path: str, operation: dict[str, Any], synthesizer: Synthesizer
) -> str:
    """`?name=value&...` for the query parameters the operation requires (else every call
    would be a 400 for a missing parameter)."""
    shared = document["paths"][path].get("parameters") or []
    pairs = {}
    for parameter in [*shared, *(operation.get("parameters") or [])]:
        parameter = synthesizer.resolve(parameter)
        if parameter.get("in") == "query" and parameter.get("required"):
            value = synthesizer.example(parameter.get("schema") or {})
            if isinstance(value, bool):
                value = str(value).lower()
            elif isinstance(value, dict) or (isinstance(value, list) and _has_objects(value)):
                value = json.dumps(value)  # objects have no form style: JSON, as vendors take
            elif isinstance(value, list):
                value = ",".join(map(str, value))
            pairs[str(parameter["name"])] = str(value)
    return "?" + urlencode(pairs) if pairs else ""


def _has_objects(values: list[Any]) -> bool:
    return any(isinstance(value, dict | list) for value in values)


@events.quitting.add_listener
def _nothing_sent(environment: Environment, **_kwargs: Any) -> None:
    """A run that made no request measured nothing: say so and fail, whatever the thresholds."""
    runner = environment.runner
    if runner is None or isinstance(runner, WorkerRunner):
        return
    if runner.stats.total.num_requests == 0:
        reason = "no schema" if not (PLAN.reads or PLAN.creates) else "no request was sent"
        print(f"spotcheck anyschema: {reason}: nothing was measured -> FAILED", flush=True)
        environment.process_exit_code = 1


@events.test_start.add_listener
def _plan(environment: Environment, **_kwargs: Any) -> None:
    global PLAN
    PLAN = plan_traffic(load_document(environment) or {})


class SchemaReader(IntegratorUser):
    weight = 4

    @task
    def read_a_collection(self) -> None:
        if PLAN.reads:
            path = random.choice(PLAN.reads)
            self.call("GET", path, f"GET {path.split('?')[0]}")


class SchemaWriter(IntegratorUser):
    weight = 1

    @task
    def object_lifecycle(self) -> None:
        """Create, read back, replace with the whole object, delete: as documented."""
        if not PLAN.creates:
            return
        create = random.choice(PLAN.creates)
        created = self.call("POST", create.path, f"POST {create.path}", json=create.body)
        if created.status_code not in (200, 201) or not create.item_path:
            return
        answer = created.json()
        if isinstance(answer, dict) and len(answer) == 1:  # {"customer": {...}}
            answer = next(iter(answer.values()))
        item_id = answer.get(create.id_field) if isinstance(answer, dict) else None
        if item_id is None:
            return
        template = create.item_path
        item = (
            template[: template.rindex("{")] + str(item_id) + template[template.rindex("}") + 1 :]
        )
        self.call("GET", item, f"GET {template}")
        if "put" in create.item_methods:
            self.call("PUT", item, f"PUT {template}", json=create.body)
        if "delete" in create.item_methods:
            self.call("DELETE", item, f"DELETE {template}")
