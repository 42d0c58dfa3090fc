"""Realistic scalar values for a schema and the name of the field that holds it.

`string_value` and `number_value` read the format first, then the field's name (`email`,
`city`, `amount`, `created_at`...), then the schema's bounds; a seeded `random.Random` picks
among plausible values, so one object always gets the same ones. Nothing here answers the
placeholder "string", an empty string or zero where the schema allows better.
"""

from __future__ import annotations

import base64
import math
import random
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from mockserver.behaviours import vocabulary as words

_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
_BASE = datetime(2025, 1, 6, 9, 30, tzinfo=UTC)


def name_words(name: str) -> tuple[str, ...]:
    """`externalCustomer_ids` -> ("external", "customer", "id"): lower case, singular."""
    return tuple(_singular(part.lower()) for part in _WORD.findall(name))


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _when(rng: random.Random) -> datetime:
    return _BASE + timedelta(days=rng.randrange(330), minutes=15 * rng.randrange(36))


def _person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)


def _email(rng: random.Random) -> str:
    first, last = _person(rng)
    return f"{first}.{last}@{rng.choice(words.DOMAINS)}".lower()


def _url(rng: random.Random, named: tuple[str, ...]) -> str:
    noun = next((w for w in named if w not in ("url", "uri", "link", "href")), "")
    noun = noun or rng.choice(words.NOUNS)
    return f"https://{rng.choice(words.DOMAINS)}/{noun}s/{rng.randrange(1000, 99999)}"


def _token(rng: random.Random, size: int) -> str:
    return "".join(rng.choice("abcdefghjkmnpqrstuvwxyz0123456789") for _ in range(size))


_FORMATS: dict[str, Any] = {
    "date-time": lambda r, n: _when(r).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "date": lambda r, n: _when(r).strftime("%Y-%m-%d"),
    "time": lambda r, n: _when(r).strftime("%H:%M:%SZ"),
    "duration": lambda r, n: f"P{r.randrange(1, 30)}D",
    "email": lambda r, n: _email(r),
    "idn-email": lambda r, n: _email(r),
    "uuid": lambda r, n: str(uuid.UUID(int=r.getrandbits(128), version=4)),
    "uri": _url,
    "url": _url,
    "iri": _url,
    "uri-reference": _url,
    "iri-reference": _url,
    "uri-template": lambda r, n: f"https://{r.choice(words.DOMAINS)}/items/{{id}}",
    "hostname": lambda r, n: f"api.{r.choice(words.DOMAINS)}",
    "idn-hostname": lambda r, n: f"api.{r.choice(words.DOMAINS)}",
    "ipv4": lambda r, n: f"203.0.113.{r.randrange(1, 255)}",
    "ipv6": lambda r, n: f"2001:db8::{r.randrange(1, 65535):x}",
    "byte": lambda r, n: base64.b64encode(f"{r.choice(words.NOUNS)} data".encode()).decode(),
    "binary": lambda r, n: f"{r.choice(words.NOUNS)} file content",
    "password": lambda r, n: f"Spot-{_token(r, 10)}-9!",
    "json-pointer": lambda r, n: f"/{r.choice(words.NOUNS)}s/0",
    "regex": lambda r, n: "^[a-z0-9-]+$",
    "phone": lambda r, n: f"+1415555{r.randrange(100, 9999):04d}",
}
_MOMENTS = frozenset({"at", "date", "time", "timestamp", "on", "datetime"})
_COMPANY = frozenset({"company", "organization", "organisation", "org", "business", "merchant"})
_COMPANY |= {"vendor", "supplier", "employer", "tenant"}
IDENTIFIERS = frozenset({"id", "uuid", "guid", "key", "token", "ref", "reference", "sid"})


def _by_name(named: tuple[str, ...], rng: random.Random) -> str | None:
    """A value the field's name suggests, or None."""
    last = named[-1] if named else ""
    has = set(named)
    if "email" in has or "mail" in has:
        return _email(rng)
    if last in IDENTIFIERS or (last == "number" and len(named) > 1):
        return str(rng.randrange(10_000_000, 99_999_999)) if last != "token" else _token(rng, 24)
    if has & {"url", "uri", "link", "href", "website", "callback", "webhook"}:
        return _url(rng, named)
    if has & {"phone", "mobile", "fax", "telephone"}:
        return f"+1415555{rng.randrange(100, 9999):04d}"
    if "currency" in has:
        return rng.choice(words.CURRENCIES)
    if "country" in has:
        return rng.choice(words.COUNTRY_CODES if "code" in has else words.COUNTRIES)
    if has & {"city", "town"}:
        return rng.choice(words.CITIES)
    if has & {"state", "province", "region"} and has & {"address", "billing", "shipping"}:
        return rng.choice(words.STATES)
    if has & {"street", "line1", "address"}:
        return f"{rng.randrange(1, 240)} {rng.choice(words.STREETS)}"
    if has & {"zip", "postal", "postcode", "zipcode", "postalcode"}:
        return f"{rng.randrange(10000, 99999)}"
    if has & {"locale"}:
        return rng.choice(words.LOCALES)
    if has & {"language", "lang"}:
        return rng.choice(words.LANGUAGES)
    if has & {"timezone", "tz"} or {"time", "zone"} <= has:
        return rng.choice(words.TIMEZONES)
    if has & {"color", "colour"}:
        return f"#{rng.randrange(0x1000000):06x}"
    if last in _MOMENTS or named in (("created",), ("updated",), ("modified",)):
        return _when(rng).strftime("%Y-%m-%dT%H:%M:%SZ")
    if has & {"first", "given", "firstname", "givenname"}:
        return _person(rng)[0]
    if has & {"last", "family", "surname", "lastname", "familyname"}:
        return _person(rng)[1]
    if last in ("by", "author", "owner", "assignee", "approver", "creator", "signer"):
        return " ".join(_person(rng))
    if has & _COMPANY or (last == "name" and has & {"legal", "party", "customer", "client"}):
        return rng.choice(words.COMPANIES)
    if has & {"username", "login", "handle"}:
        first, last_name = _person(rng)
        return f"{first[0]}{last_name}".lower()
    if has & {"file", "filename", "document", "attachment"} and last in ("name", "filename"):
        extension = rng.choice(words.FILE_EXTENSIONS)
        return f"{rng.choice(words.NOUNS)}-{rng.randrange(1, 99)}.{extension}"
    if last == "name" and has & {"user", "person", "signer", "full", "display", "contact", "owner"}:
        return " ".join(_person(rng))
    if has & {"description", "message", "note", "comment", "text", "body", "reason"}:
        return rng.choice(words.SENTENCES)
    if has & {"summary", "detail", "content", "instruction", "memo"}:
        return rng.choice(words.SENTENCES)
    if last in ("status", "state"):
        return rng.choice(words.STATUSES)
    if last in ("code", "sku", "slug", "handle"):
        return f"{rng.choice(words.NOUNS)}-{rng.randrange(100, 999)}"
    if last in ("version", "revision"):
        return f"{rng.randrange(1, 5)}.{rng.randrange(10)}.{rng.randrange(10)}"
    if has & {"hash", "sha1", "sha", "etag", "checksum", "digest", "md5"}:
        return "".join(rng.choice("0123456789abcdef") for _ in range(40))
    if has & {"secret", "password", "passphrase"}:
        return f"Spot-{_token(rng, 10)}-9!"
    return None


def _phrase(named: tuple[str, ...], rng: random.Random) -> str:
    """Two words that read like a value of this field: `trip_name` -> "Quarterly trip"."""
    nouns = [w for w in named if w.isalpha() and w not in ("name", "title", "label", "type")]
    noun = nouns[-1] if nouns else rng.choice(words.NOUNS)
    if named and named[-1] in ("type", "kind", "category"):
        return f"{rng.choice(words.ADJECTIVES).lower()}_{noun}"
    return f"{rng.choice(words.ADJECTIVES)} {noun}"


_PEOPLE = frozenset({"user", "person", "signer", "contact", "member", "recipient", "owner"})
_PEOPLE |= {"employee", "approver", "assignee", "author", "collaborator", "signatory"}


def string_value(schema: dict[str, Any], name: str, rng: random.Random, context: str = "") -> str:
    """A string for `schema` held in field `name`, within its length bounds (patterns are the
    caller's: see synth._from_pattern). `context`, the fields around it, tells whose bare
    `name` it is: a person's, a company's or a thing's."""
    named = name_words(name)
    if named == ("name",) and context:
        around = set(name_words(context))
        if around & _PEOPLE:
            named = ("full", "name")
        elif around & _COMPANY:
            named = ("company",)
    fmt = schema.get("format", "")
    make = _FORMATS.get(fmt)
    value = make(rng, named) if make else _by_name(named, rng) or _phrase(named, rng)
    least, most = schema.get("minLength", 0), schema.get("maxLength")
    if make is None and isinstance(most, int) and len(value) > most:
        value = value[:most].rstrip() or value[:most]
    while len(value) < least:
        value = f"{value} {rng.choice(words.NOUNS)}" if make is None else value + "0"
    if isinstance(most, int) and len(value) > most:
        value = value[:most]
    return value


_AMOUNTS = frozenset({"amount", "price", "cost", "fee", "total", "balance", "subtotal", "tax"})
_AMOUNTS |= {"salary", "budget", "value", "revenue", "spend", "credit", "debit", "cents"}
_COUNTS = frozenset({"count", "size", "quantity", "qty", "limit", "seat", "length", "item"})
_COUNTS |= {"attempt", "retrie", "page", "user", "member", "number", "num", "max", "min"}


def _preferred_number(named: tuple[str, ...], rng: random.Random, integer: bool) -> float:
    has, last = set(named), (named[-1] if named else "")
    if has & _AMOUNTS:
        return rng.randrange(50, 5000) + (0 if integer else rng.choice((0.0, 0.5, 0.99, 0.25)))
    if has & {"lat", "latitude"}:
        return round(rng.uniform(-60, 60), 4)
    if has & {"lon", "lng", "longitude"}:
        return round(rng.uniform(-120, 120), 4)
    if last in _MOMENTS or last == "epoch" or named in (("created",), ("updated",)):
        return int(_when(rng).timestamp())
    if last in ("year",):
        return 2025
    if last in ("month",):
        return rng.randrange(1, 13)
    if last in ("day",):
        return rng.randrange(1, 29)
    if has & {"percent", "percentage", "ratio", "rate", "discount", "progress", "score"}:
        return rng.randrange(5, 95) if integer else round(rng.uniform(5, 95), 1)
    if last in ("id", "identifier") or last.endswith("id"):
        return rng.randrange(10_000, 99_999)
    if has & {"duration", "second", "ttl", "timeout", "interval", "delay"}:
        return rng.choice((60, 300, 3600, 86400))
    if last in ("status",) or {"status", "code"} <= has:
        return 200
    if last in ("page", "offset", "index", "position", "rank", "order", "sequence", "priority"):
        return rng.randrange(1, 10)
    if has & _COUNTS or last in ("total",):
        return rng.randrange(1, 25)
    if has & {"width", "height"}:
        return rng.choice((480, 768, 1024))
    return rng.randrange(1, 100) if integer else round(rng.uniform(1, 100), 2)


def number_value(schema: dict[str, Any], name: str, rng: random.Random, integer: bool) -> float:
    """A number for `schema` in field `name`, within its bounds (3.0 boolean and 3.1 numeric
    exclusive bounds), a multiple of `multipleOf`, inside an int32/int64 format's range."""
    value = _preferred_number(name_words(name), rng, integer)
    low, high = schema.get("minimum"), schema.get("maximum")
    low_open = schema.get("exclusiveMinimum") is True
    high_open = schema.get("exclusiveMaximum") is True
    exclusive_low, exclusive_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if _numeric(exclusive_low) and (low is None or exclusive_low >= low):
        low, low_open = exclusive_low, True
    if _numeric(exclusive_high) and (high is None or exclusive_high <= high):
        high, high_open = exclusive_high, True
    limit = {"int32": 2**31, "int64": 2**63}.get(schema.get("format", ""))
    if limit:
        low = -limit if low is None else max(low, -limit)
        high = limit - 1 if high is None else min(high, limit - 1)
    if integer:
        if low is not None:
            low = math.floor(low) + 1 if low_open else math.ceil(low)
        if high is not None:
            high = math.ceil(high) - 1 if high_open else math.floor(high)
        low_open = high_open = False
    value = _clamped(value, low, high, low_open, high_open)
    multiple = schema.get("multipleOf")
    if isinstance(multiple, int | float) and not isinstance(multiple, bool) and multiple > 0:
        value = _multiple_within(value, multiple, low, high, low_open, high_open)
    return int(value) if integer else float(value)


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _inside(value: float, low: Any, high: Any, low_open: bool, high_open: bool) -> bool:
    above = low is None or (value > low if low_open else value >= low)
    below = high is None or (value < high if high_open else value <= high)
    return above and below


def _clamped(value: float, low: Any, high: Any, low_open: bool, high_open: bool) -> float:
    if _inside(value, low, high, low_open, high_open):
        return value
    if low is not None and high is not None:
        # closed bounds: the nearest; open ones: the middle (an integer's were closed above)
        return low + (high - low) / 2 if low_open or high_open else min(max(value, low), high)
    if low is not None:
        return low + 1 if low_open else low
    return high - 1 if high_open else high


def _multiple_within(
    value: float, multiple: float, low: Any, high: Any, low_open: bool, high_open: bool
) -> float:
    """The multiple of `multiple` nearest `value` that stays in bounds and that a validator
    (value / multiple is a whole number, in floating point) accepts."""
    base = round(value / multiple)
    for step in (0, 1, -1, 2, -2, 3, -3, 10, -10):
        candidate = (base + step) * multiple
        candidate = round(candidate, 10) if isinstance(multiple, float) else candidate
        quotient = candidate / multiple
        if quotient == int(quotient) and _inside(candidate, low, high, low_open, high_open):
            return candidate
    return value
