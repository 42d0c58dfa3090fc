"""Pins what `mockserver/pipeline/connexion_stack.py` relies on in Connexion beyond its
documented API, so that an upgrade which moves one of them fails here, by name."""

from __future__ import annotations

import ast
import inspect

from connexion import ConnexionMiddleware
from connexion.middleware.abstract import ROUTING_CONTEXT, RoutedMiddleware
from connexion.middleware.main import API
from connexion.spec import OpenAPISpecification, Specification

from mockserver.pipeline.connexion_stack import _CheckedSpecification


def test_routed_middlewares_read_the_operation_where_matched_operation_writes_it():
    source = inspect.getsource(RoutedMiddleware)
    assert ROUTING_CONTEXT == "connexion_routing"
    assert '"api_base_path"' in source and '"operation_id"' in source
    assert "api.operations[operation_id]" in source


def test_the_stack_can_be_built_before_the_first_request():
    assert callable(ConnexionMiddleware._build_middleware_stack)
    source = inspect.getsource(ConnexionMiddleware.__call__)
    assert "self.middleware_stack is None" in source


def test_apis_take_an_api_record_and_specification_validation_is_one_classmethod():
    assert {"specification", "base_path"} <= set(inspect.signature(API).parameters)
    assert "_validate_spec" in inspect.getsource(OpenAPISpecification.__init__)
    document = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}
    document["x-not-allowed-by-meta-schema"] = {"paths": 1}
    _CheckedSpecification(document)  # no meta-schema check, no error


def test_the_pipeline_has_one_router():
    from mockserver import Settings, create_app
    from mockserver.pipeline.connexion_stack import MatchedOperation

    app = create_app(Settings(db=":memory:", cache_dir=""))
    layer, seen = app._asgi, []
    while layer is not None:
        seen.append(type(layer).__name__)
        layer = getattr(layer, "app", None)
    assert "RoutingMiddleware" not in seen and "NoRedirectRouting" not in seen
    assert MatchedOperation.__name__ in seen


def test_request_validation_operation_keeps_what_the_prepared_operation_reads():
    from connexion.middleware.request_validation import RequestValidationOperation

    init = inspect.getsource(RequestValidationOperation.__init__)
    for attribute in ("self._operation", "self._validator_map", "self.next_app"):
        assert attribute in init, attribute
    # The steps `_PreparedOperation.__call__` repeats with prepared objects: a new step
    # upstream must be looked at here.
    call = inspect.getsource(RequestValidationOperation.__call__)
    for step in ("extract_content_type", "body_schema", "wrap_receive", "validate_mime_type"):
        assert step in call, step


def test_checked_specification_repeats_connexions_init_but_the_raw_copy():
    # `_CheckedSpecification.__init__` is Connexion's own minus `copy.deepcopy(raw_spec)`:
    # an attribute or step added upstream must be looked at here.
    init = ast.parse(inspect.getsource(Specification.__init__).strip()).body[0]
    assigned = {
        ast.unparse(target)
        for node in ast.walk(init)
        if isinstance(node, ast.Assign)
        for target in node.targets
    }
    assert assigned == {"self._raw_spec", "self._spec", "self._base_uri"}
    source = ast.unparse(init)
    for step in ("_set_defaults(raw_spec)", "_validate_spec(raw_spec)", "resolve_refs(raw_spec"):
        assert step in source, step
    # Only Connexion's Swagger UI reads `.raw` (through `with_base_path`), never the API stack.
    document = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}
    document["components"] = {
        "schemas": {"A": {"type": "string"}, "B": {"$ref": "#/components/schemas/A"}}
    }
    specification = _CheckedSpecification(document)
    assert specification.raw == {}
    assert specification["components"]["schemas"]["B"] == {"type": "string"}
    assert "$ref" in document["components"]["schemas"]["B"]  # the served document keeps its refs
