"""Mask secrets in the bodies the run's reports keep (VCR cassette, NDJSON events, JUnit).

Schemathesis masks sensitive headers and query parameters itself, but keeps bodies verbatim:
the cassette of a run against a real UAT would hold the workspace's `hmac_key`, every token an
OAuth endpoint answered and any secret a request body carried. After the run every report file
is rewritten with the value of each sensitive key replaced, wherever it sits: a JSON body, a
JSON text inside a YAML string, a base64 body in an NDJSON event, or a message quoting a body.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from spotcheck.client.masking import MASK, mask_text, mask_value

__all__ = ["MASK", "mask_report_dir", "mask_text", "mask_value"]

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


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
