"""Schemathesis over the whole OpenAPI schema (/api/schema/): the brand API,
the aggregates and the audit API, called with valid credentials for each
(``tests/fuzz/conftest.py``), through the Django WSGI application in the
test's transaction (no server). Every generated request must get an answer
the schema describes, and never a 5xx.

Checks on:

* ``not_a_server_error``: no 5xx, whatever the input;
* ``status_code_conformance``: the status is one the operation documents;
* ``content_type_conformance``: the body is of a documented media type;
* ``response_schema_conformance``: the body validates against the schema;
* ``response_headers_conformance``: documented headers are as described.

Checks off, and why:

* ``negative_data_rejection`` / ``positive_data_acceptance``: they hold the
  server to the schema as a validator of the input, which it is not meant to
  be: valid JSON that the facet's registry refuses (a write with unknown
  fields) is a 400 although the schema's free-form ``data`` object allows it,
  and a query parameter the schema types as a string (``cursor``) may still be
  refused. Refusals are held to not-a-5xx and to the documented error body.
* ``use_after_free``, ``ensure_resource_availability``, ``ignored_auth``,
  ``unsupported_method``, ``missing_required_header``,
  ``object_level_authorization``: stateful or authorization checks, covered
  by the access-control tests (tests/test_url_matrix.py,
  tests/brands/test_api_matrix.py, tests/audit/test_access_control.py) with
  explicit expectations rather than heuristics.
* ``max_response_time``: timing is measured by the benchmarks, not here.

Bounded: ``MAX_EXAMPLES`` per operation, no deadline; the whole module takes
well under a minute on either database.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

from .conftest import Callers

MAX_EXAMPLES = 40
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]

# Read from the running application, as a client reads it (no database needed).
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_its_schema_says(case: schemathesis.Case, callers: Callers,
                                                    wsgi_in_test_transaction: None) -> None:
    response = case.call(headers={"Authorization": f"Bearer {callers.bearer_for(case.path)}"})
    case.validate_response(response, checks=CHECKS)
