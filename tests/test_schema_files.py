"""Our schema against the vendor's: every operation, field and type carried over; no prose."""

from __future__ import annotations

import copy

import pytest

from mockserver.settings import DEFAULT_SPEC
from mockserver.spec.compare import compare
from mockserver.spec.loader import read_document
from mockserver.spec.repair import meta_schema_errors, repair
from mockserver.spec.walk import operations


@pytest.fixture(scope="module")
def ours():
    return read_document(str(DEFAULT_SPEC))


def test_our_schema_boots_without_repairs(ours):
    assert meta_schema_errors(ours) == []
    assert {d.kind for d in repair(ours).defects} == {"query-name"}


def test_our_schema_has_all_182_operations(ours):
    assert sum(1 for _ in operations(ours)) == 182


def test_our_schema_carries_no_vendor_prose(ours):
    found = []

    def scan(node, key=""):
        if isinstance(node, dict):
            for name, value in node.items():
                if (
                    name in ("summary", "examples", "example", "externalDocs")
                    and key != "properties"
                ):
                    found.append(name)
                is_prose = name == "description" and key != "properties" and isinstance(value, str)
                if is_prose and value not in {
                    "OK",
                    "Created",
                    "No Content",
                    "Accepted",
                    "Bad Request",
                    "Unauthorized",
                    "Forbidden",
                    "Not Found",
                    "Bad Gateway",
                    "Gateway Timeout",
                    "Not Implemented",
                    "Request Entity Too Large",
                    "Content Too Large",
                }:
                    found.append(value[:60])
                scan(value, name)
        elif isinstance(node, list):
            for item in node:
                scan(item, key)

    scan(ours)
    assert found == []


def test_compare_catches_a_missing_operation_field_or_type(ours):
    changed = copy.deepcopy(ours)
    del changed["paths"]["/api/v2.1/public/contracts/"]["post"]
    status = changed["components"]["schemas"]["ExternalContractStatus"]["properties"]
    status["contract_name"]["type"] = "integer"
    del changed["components"]["schemas"]["ContractTypeListDomainModel"]["items"]["properties"][
        "name"
    ]
    problems = compare(ours, changed)
    assert any("POST /api/v2.1/public/contracts/: operation missing" in p for p in problems)
    assert any("contract_name.type" in p for p in problems)
    assert any("missing 'name'" in p for p in problems)
    assert compare(ours, ours) == []


@pytest.mark.vendor
def test_our_schema_matches_the_vendor_operation_by_operation(vendor_spec, ours):
    vendor = repair(read_document(str(vendor_spec))).document
    assert compare(vendor, ours) == []
