"""The API holds to its own OpenAPI schema under generated input (schemathesis).

Every operation of ``/api/openapi.json`` is called, in process through the WSGI
application, with requests generated from the schema: valid ones and ones that break
it (wrong types, missing fields, odd strings in paths and bodies). Each answer must
not be a server error, must have a status the operation documents, and must match
the documented body: the success schema, or ``ErrorOut`` for every refusal. The
caller is signed in with a personal API token and owns a notebook, so generated
requests reach real work as well as refusals.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from accounts.services import api_token_create
from playground.wsgi import application
from tests.factories import link_make, notebook_make, user_make

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def token(db: None) -> Iterator[str]:
    owner = user_make()
    link_make(notebook_make(owner))
    # As Django's test client does: the WSGI handler would otherwise close the test's
    # database connection at the end of each request, and with it the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield api_token_create(user=owner, name="fuzz").secret
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_as_documented(case: schemathesis.Case, token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}", "Host": "testserver"},
        checks=[
            schemathesis.checks.not_a_server_error,
            schemathesis.checks.status_code_conformance,
            schemathesis.checks.content_type_conformance,
            schemathesis.checks.response_schema_conformance,
        ],
    )
