"""Read a schema document from a file or URL, YAML or JSON."""

from __future__ import annotations

import json
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mockserver.errors import SchemaError
from spotcheck.client.documents import read_text as client_read_text
from spotcheck.client.errors import ClientError

# libyaml's C loader reads the 914 KB vendor file ~4x faster than the pure-Python one.
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR, _MAP, _SEQ = (f"tag:yaml.org,2002:{name}" for name in ("str", "map", "seq"))


def read_document(source: str) -> dict[str, Any]:
    """Parse the schema at `source` (a path or an http(s) URL) into a dict."""
    return parse_document(read_text(source), source)


def read_text(source: str) -> str:
    """The text of the schema at `source` (a path or an http(s) URL), read as a client reads
    it (`spotcheck.client.documents`); a failure is a SchemaError here."""
    try:
        return client_read_text(source)
    except ClientError as error:
        raise SchemaError(str(error)) from None


def parse_document(text: str, source: str = "<string>") -> dict[str, Any]:
    try:
        document = json.loads(text) if text.lstrip().startswith("{") else _load_yaml(text)
    except (ValueError, yaml.YAMLError) as error:
        raise SchemaError(f"{source} is neither JSON nor YAML: {error}") from None
    if isinstance(document, dict) and "swagger" in document:
        raise SchemaError(
            f"{source} is Swagger {document['swagger']} (OpenAPI 2.0), which is not supported: "
            "convert it to OpenAPI 3 first (for example with swagger2openapi)"
        )
    if not isinstance(document, dict) or not (str(document.get("openapi", "")).startswith("3.")):
        raise SchemaError(f"{source} is not an OpenAPI 3.x document")
    if not isinstance(document.get("paths"), dict):
        raise SchemaError(f"{source} has no paths")
    return document


def _load_yaml(text: str) -> Any:
    """`yaml.load` with libyaml's loader, keys as strings (`_string_keys`).

    Most of the time is PyYAML building Python objects from the parsed nodes, one generator per
    mapping: `_Builder` builds what a schema is made of (string-keyed maps, lists, scalars) in
    one recursive pass, about 3x faster, and anything else (merge keys, aliases to a map or a
    list, duplicate keys, other tags, an error) is built by PyYAML as before from the same
    nodes, so the result is the same either way.
    """
    loader = _YamlLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            return _Builder(loader).build(node)
        except Exception:  # PyYAML's own construction decides (and raises what it raises)
            loader.constructed_objects = {}
            loader.recursive_objects = {}
            return _string_keys(loader.construct_document(node))
    finally:
        loader.dispose()


class _Unusual(Exception):
    """A node outside what `_Builder` builds: PyYAML builds the document."""


class _Builder:
    def __init__(self, loader: Any) -> None:
        self._loader = loader
        self._seen: set[int] = set()
        # One object per distinct string: a schema repeats "type", "string", its $refs...
        # thousands of times (less memory, and a smaller pickle in the schema cache).
        self._strings: dict[str, str] = {}

    def build(self, node: Node) -> Any:
        kind = type(node)
        if kind is ScalarNode:
            if node.tag == _STR:
                return self._strings.setdefault(node.value, node.value)
            # int, float, bool, null, timestamp...: PyYAML's own constructors
            return self._loader.construct_object(node, deep=True)
        if id(node) in self._seen:
            raise _Unusual("an alias to a map or a list")  # one object in two places
        self._seen.add(id(node))
        if kind is SequenceNode and node.tag == _SEQ:
            return [self.build(child) for child in node.value]
        if kind is not MappingNode or node.tag != _MAP:
            raise _Unusual(node.tag)
        built: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node)
            if key in built:
                raise _Unusual("a duplicate key")
            built[key] = self.build(value_node)
        return built

    def _key(self, node: Node) -> str:
        if type(node) is not ScalarNode or node.tag.endswith((":merge", ":value")):
            raise _Unusual("a key that is not a scalar, or a merge key")
        if node.tag == _STR:
            return self._strings.setdefault(node.value, node.value)
        return str(self._loader.construct_object(node, deep=True))  # 200: -> "200"


def _string_keys(node: Any) -> Any:
    # YAML allows integer keys (response codes); JSON Schema tools expect strings.
    if isinstance(node, dict):
        return {str(key): _string_keys(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_string_keys(item) for item in node]
    return node
