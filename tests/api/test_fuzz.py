"""A bounded fuzz run of the whole API from its OpenAPI document (schemathesis), in process (ASGI:
nothing leaves the machine): every operation, each generated request sent with every role's token
and without one, a fixed seed and a fixed number of generated requests per operation. Bad input
must be a 4xx problem, never a 500, and every answer must be what the document says (status,
media type, body schema).

`JIXIAO_FUZZ_EXAMPLES` sets the generated requests per operation (default 16: ~75 operations × 16
× 10 tokens ≈ 12,000 requests, about a minute here). Schemathesis's own pytest integration is not used: its lazy
fixtures do not work with pytest 9; its strategies and checks are, through hypothesis directly.
"""

from __future__ import annotations

import os
from typing import Any, Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

from api.app import create_app
from api.service import LedgerService
from tests.api.conftest import USERS, add_users, token_of

EXAMPLES = int(os.environ.get("JIXIAO_FUZZ_EXAMPLES", "16"))
ROLES = [*USERS, None]  # None: no token
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def fuzz_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from tests.conftest import build_bureau

    service = LedgerService(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'ledger.db'}")
    build_bureau(service)
    add_users(service)
    app = create_app(service)
    with TestClient(app):  # the app's start-up, once
        yield schemathesis.openapi.from_asgi("/openapi.json", app)
    service.close()


def _fuzz(operation: Any) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,  # the fixed seed: the same requests on every run
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        for role in ROLES:
            headers = {} if role is None else {"Authorization": f"Bearer {token_of(role)}"}
            case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_no_request_gets_a_server_error_and_every_answer_matches_the_document(fuzz_schema: Any) -> None:
    operations = [result.ok() for result in fuzz_schema.get_all_operations()]
    assert len(operations) > 70  # every route of the document, none skipped
    failures = []
    for operation in operations:
        try:
            _fuzz(operation)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as failure:  # noqa: BLE001 - schemathesis raises failure groups; collect every operation's
            failures.append(f"{operation.label}: {str(failure)[:1500]}")
    assert failures == [], "\n\n".join(failures)
