"""The whole REST API under a schema-driven fuzzer (schemathesis): every operation, bodies
included, with a bounded number of examples each; no answer may be a 5xx or break its schema."""

from __future__ import annotations

import time

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from cxlens.access import SCOPES, create_api_key

EXAMPLES = 20  # per operation: enough to reach every body shape, bounded for the suite's time


def test_no_operation_answers_5xx_or_breaks_its_schema(client, collection):
    key = create_api_key(collection.store, "fuzzer", list(SCOPES))
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    headers = {"Authorization": f"Bearer {key.secret}"}
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            # A body the schema allows may still name a touchpoint or survey that does not exist:
            # its 422 is right, so schema-valid data is not required to be accepted.
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        started = time.perf_counter()
        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # every operation's failures, reported together
            failures.append(f"{operation.label}: {exc}")
        print(f"{operation.label}: {time.perf_counter() - started:.1f} s")
    assert not failures, "\n\n".join(failures)
