"""Property-based API tests: schemathesis against the live server's OpenAPI schema.

Bounded examples per operation; no server errors, no status codes the schema does not list,
and every response (errors included) matches its documented shape.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)
from schemathesis.checks import not_a_server_error

from live_server import LiveServer, auth, make_user

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("schemathesis") / "vcl_qa.db").start()
    srv.tokens = {role: make_user(srv.db, f"st-{role}", role, "north" if role == "staff" else None)
                  for role in ("staff", "manager", "admin", "panel")}
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def api_schema(server):
    return schemathesis.openapi.from_url(f"{server.url}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


def _check(case, server, role):
    case.call_and_validate(base_url=server.url, headers=auth(server.tokens[role]), checks=CHECKS,
                           timeout=30)


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_as_staff(case, server):
    _check(case, server, "staff")


@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_as_manager(case, server):
    _check(case, server, "manager")


@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_as_admin(case, server):
    _check(case, server, "admin")
