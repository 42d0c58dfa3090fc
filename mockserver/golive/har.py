"""Recordings in HAR 1.2, the format browsers' dev tools and HTTP tools import.

One exchange is one `entries[]` item; spotcheck's own notes (the operation, violations, a
refused write) sit under `_spotcheck`, as HAR allows for custom fields (leading underscore).
Bodies are kept as text, or base64 (`content.encoding`) when they are not UTF-8. Everything
handed to `entry()` must already be masked (`scrub.Scrubber`).

    recorder = HarRecorder(Path("rec"), "proxy")   # rec/proxy-20260101T120000-1234.har
    recorder.add(entry(...))                       # the file is rewritten, complete, each time
    entries = read_entries(Path("rec"))            # every *.har of the folder, in order
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from spotcheck import __version__  # the distribution's one version, read once

_REASONS = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 404: "Not Found"}


@dataclass(frozen=True)
class Message:
    """One side of an exchange, masked: headers, body text (or base64) and its media type."""

    headers: list[tuple[str, str]]
    body: str
    media_type: str
    base64: bool = False

    def raw(self) -> bytes:
        return base64.b64decode(self.body) if self.base64 else self.body.encode("utf-8")

    def json(self) -> Any:
        """The body as JSON, or None when it is not JSON."""
        if self.base64 or "json" not in self.media_type or not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def body_text(raw: bytes) -> tuple[str, bool]:
    """(text, is_base64) for a body: UTF-8 text as is, anything else base64."""
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode("ascii"), True


def _pairs(items: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in items]


def entry(
    method: str,
    url: str,
    query: list[tuple[str, str]],
    request: Message,
    status: int,
    response: Message,
    started: float,
    elapsed_ms: float,
    notes: dict[str, Any],
) -> dict[str, Any]:
    """One HAR 1.2 entry; `notes` go under `_spotcheck`."""
    post = (
        {"postData": {"mimeType": request.media_type, "text": request.body, "params": []}}
        if request.body
        else {}
    )
    content: dict[str, Any] = {
        "size": len(response.raw()),
        "mimeType": response.media_type,
        "text": response.body,
    }
    if response.base64:
        content["encoding"] = "base64"
    return {
        "startedDateTime": datetime.fromtimestamp(started, UTC).isoformat(),
        "time": round(elapsed_ms, 3),
        "request": {
            "method": method,
            "url": url,
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": _pairs(request.headers),
            "queryString": _pairs(query),
            "headersSize": -1,
            "bodySize": len(request.raw()),
            **post,
        },
        "response": {
            "status": status,
            "statusText": _REASONS.get(status, ""),
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": _pairs(response.headers),
            "content": content,
            "redirectURL": response.header("location") or "",
            "headersSize": -1,
            "bodySize": len(response.raw()),
        },
        "cache": {},
        "timings": {"send": 0, "wait": round(elapsed_ms, 3), "receive": 0},
        "_spotcheck": notes,
    }


def path_of(item: dict[str, Any]) -> str:
    """The path the client asked for: upstream's URL less the target's own base path."""
    notes = item.get("_spotcheck") or {}
    return str(notes.get("path") or urlsplit(item["request"]["url"]).path)


def request_of(item: dict[str, Any]) -> Message:
    request = item["request"]
    post = request.get("postData") or {}
    return Message(
        [(h["name"], h["value"]) for h in request.get("headers", [])],
        post.get("text", ""),
        post.get("mimeType", ""),
    )


def response_of(item: dict[str, Any]) -> Message:
    response = item["response"]
    content = response.get("content") or {}
    return Message(
        [(h["name"], h["value"]) for h in response.get("headers", [])],
        content.get("text", ""),
        content.get("mimeType", ""),
        content.get("encoding") == "base64",
    )


class HarRecorder:
    """Appends entries to one HAR file in `folder`, rewritten whole (and atomically) each time,
    so the file on disk is always a complete HAR document, even if the process is killed."""

    def __init__(self, folder: Path, kind: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S")
        self.path = folder / f"{kind}-{stamp}-{os.getpid()}.har"
        self._entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def add(self, item: dict[str, Any]) -> None:
        with self._lock:
            self._entries.append(item)
            document = {
                "log": {
                    "version": "1.2",
                    "creator": {"name": "spotcheck", "version": __version__},
                    "pages": [],
                    "entries": self._entries,
                }
            }
            scratch = self.path.with_suffix(".har.tmp")
            scratch.write_text(json.dumps(document, indent=1), encoding="utf-8")
            scratch.replace(self.path)


def read_entries(folder: Path, kind: str | None = None) -> list[dict[str, Any]]:
    """Every entry of every `*.har` in `folder` (of one `kind`, if given), oldest first."""
    files = sorted(folder.glob(f"{kind or '*'}-*.har")) if folder.is_dir() else []
    entries = []
    for file in files:
        entries += json.loads(file.read_text(encoding="utf-8"))["log"]["entries"]
    return sorted(entries, key=lambda item: item["startedDateTime"])
