"""Mask secrets in the bodies the run's reports keep (VCR cassette, NDJSON events, JUnit).

Schemathesis masks sensitive headers and query parameters itself, but keeps bodies verbatim:
the cassette of a run against a real UAT would hold the workspace's `hmac_key`, every token an
OAuth endpoint answered and any secret a request body carried. After the run every report file
is rewritten with the value of each sensitive key replaced, wherever it sits: a JSON body, a
JSON text inside a YAML string, a base64 body in an NDJSON event, or a message quoting a body.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from pathlib import Path
from typing import Any

import yaml

MASK = "[Filtered]"
_SENSITIVE = re.compile(
    r"secret|token|passw|hmac|api[_-]?key|private[_-]?key|credential|authorization", re.I
)
# `"key": "value"` in free text (a message quoting a body), and `key=value` in a form body.
_JSON_PAIR = re.compile(r'("(?P<key>[\w.-]+)"\s*:\s*)"(?:[^"\\]|\\.)*"')
_FORM_PAIR = re.compile(r"(?P<lead>(?:^|[&?\s])(?P<key>[\w.-]+)=)[^&\s\"']*")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def is_sensitive(key: str) -> bool:
    return bool(_SENSITIVE.search(key))


def mask_value(value: Any) -> Any:
    """`value` with every sensitive key's value masked, recursively (JSON in strings too)."""
    if isinstance(value, dict):
        if set(value) == {"$base64"} and isinstance(value["$base64"], str):
            return {"$base64": _mask_base64(value["$base64"])}
        return {
            key: MASK
            if is_sensitive(str(key)) and not isinstance(item, dict | list)
            else mask_value(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [mask_value(item) for item in value]
    if isinstance(value, str):
        return mask_text(value)
    return value


def mask_text(text: str) -> str:
    """A JSON document masked as data; any other text masked pair by pair."""
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            document = json.loads(text)
        except ValueError:
            pass
        else:
            masked = mask_value(document)
            # unchanged documents keep their bytes: only what held a secret is rewritten
            return text if masked == document else json.dumps(masked)
    text = _JSON_PAIR.sub(
        lambda m: f'{m.group(1)}"{MASK}"' if is_sensitive(m.group("key")) else m.group(0), text
    )
    return _FORM_PAIR.sub(
        lambda m: m.group("lead") + MASK if is_sensitive(m.group("key")) else m.group(0), text
    )


def _mask_base64(encoded: str) -> str:
    try:
        text = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return encoded  # binary (a PDF): nothing readable to mask
    masked = mask_text(text)
    return encoded if masked == text else base64.b64encode(masked.encode()).decode("ascii")


def mask_report_dir(report_dir: Path) -> list[Path]:
    """Rewrite every cassette, NDJSON and JUnit report in `report_dir`; the files changed."""
    changed = []
    for path in sorted(report_dir.glob("*")):
        original = path.read_text(encoding="utf-8") if path.is_file() else ""
        if path.name.startswith("vcr-") and path.suffix == ".yaml":
            masked = _mask_cassette(original)
        elif path.suffix == ".ndjson":
            masked = "".join(
                json.dumps(mask_value(json.loads(line))) + "\n" for line in original.splitlines()
            )
        elif path.name.startswith("junit-") and path.suffix == ".xml":
            masked = mask_text(original)
        else:
            continue
        if masked != original:
            path.write_text(masked, encoding="utf-8")
            changed.append(path)
    return changed


def _mask_cassette(text: str) -> str:
    document = yaml.load(text, Loader=_Loader)
    if not document:
        return text
    return str(yaml.dump(mask_value(document), Dumper=_Dumper, allow_unicode=True, width=1000))
