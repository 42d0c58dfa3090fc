"""Fault rules: what they match, how often they fire, what they do (`/__admin/faults`).

A rule is read from the JSON (or YAML, `serve --faults FILE`) shape the README documents.
Every matching rule's latency is added; the first matching rule with another action decides
what happens. A mistake in a rule is a `ValueError` whose message says what to send.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REQUEST_ACTIONS = ("latency", "status", "reset", "empty", "truncate", "malformed")
WEBHOOK_ACTIONS = ("latency", "drop")
_MATCH_KEYS = {
    "request": ("method", "path", "operation", "credential"),
    "webhook": ("subscription", "url"),
}
MAX_LATENCY_MS = 120_000  # bounded: a fault is a test's tool, never a hung server
MAX_RULES = 1000
_LATENCY = {"fixed": ("ms",), "uniform": ("min_ms", "max_ms"), "lognormal": ("median_ms", "sigma")}


@dataclass(frozen=True)
class Latency:
    kind: str  # fixed | uniform | lognormal
    ms: float = 0.0
    min_ms: float = 0.0
    max_ms: float = 0.0
    median_ms: float = 0.0
    sigma: float = 0.0

    def sample(self, rng: random.Random) -> float:
        """Seconds to wait, never past MAX_LATENCY_MS."""
        if self.kind == "fixed":
            ms = self.ms
        elif self.kind == "uniform":
            ms = rng.uniform(self.min_ms, self.max_ms)
        else:
            ms = rng.lognormvariate(math.log(self.median_ms), self.sigma)
        return min(ms, MAX_LATENCY_MS) / 1000

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind} | {name: getattr(self, name) for name in _LATENCY[self.kind]}


@dataclass
class FaultRule:
    id: str
    on: str
    match: dict[str, str]
    action: str
    status: int = 0
    retry_after: int | None = None
    latency: Latency | None = None
    first: int | None = None
    probability: float | None = None
    seed: int | None = None
    matched: int = 0  # requests (or attempts) the match took
    applied: int = 0  # times it fired
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def fires(self) -> bool:
        """Whether this matching request is faulted (counts it either way)."""
        self.matched += 1
        if self.first is not None:
            fired = self.applied < self.first
        elif self.probability is not None:
            fired = self._rng.random() < self.probability
        else:
            fired = True
        if fired:
            self.applied += 1
        return fired

    def delay(self) -> float:
        return self.latency.sample(self._rng) if self.latency else 0.0

    def as_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"id": self.id, "on": self.on, "match": dict(self.match)}
        shown["action"] = self.action
        if self.action == "status":
            shown["status"] = self.status
            shown["retry_after"] = self.retry_after
        if self.latency:
            shown["latency"] = self.latency.as_json()
        for key in ("first", "probability", "seed"):
            if getattr(self, key) is not None:
                shown[key] = getattr(self, key)
        return shown | {"matched": self.matched, "applied": self.applied}


@dataclass(frozen=True)
class Hit:
    """What the matching rules do to one request or delivery attempt."""

    rules: tuple[FaultRule, ...]
    delay: float
    action: FaultRule | None  # the rule whose action (not latency) applies, if any

    @property
    def ids(self) -> str:
        return ",".join(rule.id for rule in self.rules)


class FaultSet:
    """The rules of one server, in the order they were added; `initial` (`serve --faults`)
    come back on `reset()`."""

    def __init__(self, initial: Sequence[Mapping[str, Any]] = ()) -> None:
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)
        self._initial = tuple(initial)
        self.reset()

    def reset(self) -> None:
        self._rules = []
        for data in self._initial:
            self.add(data)

    def add(self, data: Mapping[str, Any]) -> FaultRule:
        if len(self._rules) >= MAX_RULES:
            raise ValueError(f"at most {MAX_RULES} fault rules; DELETE /__admin/faults first")
        rule = parse_rule(data, f"fault-{next(self._ids)}")
        if any(existing.id == rule.id for existing in self._rules):
            raise ValueError(f"a fault rule {rule.id!r} exists already")
        self._rules.append(rule)
        return rule

    def remove(self, rule_id: str) -> bool:
        kept = [rule for rule in self._rules if rule.id != rule_id]
        removed = len(kept) != len(self._rules)
        self._rules = kept
        return removed

    def clear(self) -> None:
        self._rules = []

    def rules(self) -> list[FaultRule]:
        return list(self._rules)

    def any(self, on: str) -> bool:
        return any(rule.on == on for rule in self._rules)

    def for_request(self, facts: Mapping[str, str], template: str, operation_id: str) -> Hit | None:
        """`facts`: method, path, operation (key) and credential of the request."""

        def matches(rule: FaultRule) -> bool:
            for key, wanted in rule.match.items():
                if key == "path":
                    if wanted not in (facts["path"], template):
                        return False
                elif key == "operation":
                    if wanted not in (facts["operation"], operation_id):
                        return False
                elif key == "method":
                    if wanted.upper() != facts["method"].upper():
                        return False
                elif facts.get(key, "") != wanted:
                    return False
            return True

        return self._hit("request", matches)

    def for_delivery(self, subscription: str, url: str) -> Hit | None:
        facts = {"subscription": subscription, "url": url}
        return self._hit("webhook", lambda rule: all(facts[k] == v for k, v in rule.match.items()))

    def _hit(self, on: str, matches: Any) -> Hit | None:
        fired = [rule for rule in self._rules if rule.on == on and matches(rule) and rule.fires()]
        if not fired:
            return None
        action = next((rule for rule in fired if rule.action != "latency"), None)
        return Hit(tuple(fired), sum(rule.delay() for rule in fired), action)


def parse_rule(data: Mapping[str, Any], default_id: str) -> FaultRule:
    if not isinstance(data, Mapping):
        raise ValueError('a fault rule is an object: {"match": {...}, "action": ...}')
    on = data.get("on", "request")
    if on not in _MATCH_KEYS:
        raise ValueError('"on" must be "request" or "webhook"')
    unknown = set(data) - {"id", "on", "match", "action", "status", "retry_after", "latency"}
    unknown -= {"first", "probability", "seed"}
    if unknown:
        raise ValueError(f"unknown fault rule field {sorted(unknown)[0]!r}")
    actions = REQUEST_ACTIONS if on == "request" else WEBHOOK_ACTIONS
    action = data.get("action")
    if action not in actions:
        raise ValueError(f"action must be one of {', '.join(actions)} for {on} rules")
    rule = FaultRule(
        id=_text(data.get("id", default_id), "id"),
        on=on,
        match=_match(data.get("match", {}), _MATCH_KEYS[on]),
        action=str(action),
        latency=_latency(data["latency"]) if data.get("latency") is not None else None,
    )
    if action == "latency" and rule.latency is None:
        raise ValueError('a latency rule needs "latency": {"kind": "fixed", "ms": 200}')
    if action == "status":
        rule.status = _integer(data.get("status"), "status", 100, 599)
        if rule.status != 429 and rule.status < 500:
            raise ValueError("status must be 429 or 500-599")
        retry_after = data.get("retry_after", 1 if rule.status == 429 else None)
        if retry_after is not None:
            rule.retry_after = _integer(retry_after, "retry_after", 0, 86400)
    elif "status" in data or "retry_after" in data:
        raise ValueError('"status" and "retry_after" go with "action": "status"')
    _how_often(rule, data)
    return rule


def _how_often(rule: FaultRule, data: Mapping[str, Any]) -> None:
    if data.get("first") is not None and data.get("probability") is not None:
        raise ValueError('say "first" or "probability", not both')
    if data.get("first") is not None:
        rule.first = _integer(data["first"], "first", 1, 10**9)
    if data.get("probability") is not None:
        probability = data["probability"]
        number = isinstance(probability, int | float) and not isinstance(probability, bool)
        if not number or not 0 <= probability <= 1:
            raise ValueError("probability must be a number from 0 to 1")
        rule.probability = float(probability)
    if data.get("seed") is not None:
        rule.seed = _integer(data["seed"], "seed", 0, 2**63)
    rule._rng = random.Random(rule.seed)


def _match(raw: Any, keys: tuple[str, ...]) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise ValueError(f"match must be an object with any of {', '.join(keys)}")
    unknown = set(raw) - set(keys)
    if unknown:
        raise ValueError(f"match may name {', '.join(keys)}, not {sorted(unknown)[0]!r}")
    return {key: _text(value, f"match.{key}") for key, value in raw.items() if value != ""}


def _latency(raw: Any) -> Latency:
    if not isinstance(raw, Mapping) or raw.get("kind") not in ("fixed", "uniform", "lognormal"):
        raise ValueError('latency must be {"kind": "fixed" | "uniform" | "lognormal", ...}')
    kind = raw["kind"]
    fields = _LATENCY[kind]
    values = {}
    for name in fields:
        value = raw.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"a {kind} latency needs {' and '.join(fields)} as numbers")
        if not 0 <= value <= MAX_LATENCY_MS:
            raise ValueError(f"latency {name} must be from 0 to {MAX_LATENCY_MS}")
        values[name] = float(value)
    if kind == "uniform" and values["min_ms"] > values["max_ms"]:
        raise ValueError("a uniform latency needs min_ms <= max_ms")
    if kind == "lognormal" and (values["median_ms"] <= 0 or values["sigma"] > 10):
        raise ValueError("a lognormal latency needs median_ms > 0 and sigma <= 10")
    return Latency(kind, **values)


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 500:
        raise ValueError(f"{name} must be a non-empty string")
    return value


def _integer(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}")
    return value


def read_rules_file(path: str) -> list[dict[str, Any]]:
    """The rules of a YAML (or JSON) file: a list, or {"faults": [...]}; each one checked."""
    try:
        loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(f"cannot read the faults file {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise ValueError(f"the faults file {path} is not YAML: {str(error)[:200]}") from None
    if isinstance(loaded, dict):
        loaded = loaded.get("faults")
    if not isinstance(loaded, list):
        raise ValueError(f"the faults file {path} must hold a list of rules (or faults: [...])")
    for number, data in enumerate(loaded, 1):
        try:
            parse_rule(data, f"fault-{number}")
        except ValueError as error:
            raise ValueError(f"{path}: rule {number}: {error}") from None
    return loaded
