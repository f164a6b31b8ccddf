"""The API does what its description (/api/schema/) says, under schemathesis: every operation,
in-process against the Django WSGI app on the demo town, with a fixed seed. Valid requests
(positive) and invalid ones (negative), signed in as a citizen with a linked property (session
cookie and app token), then anonymous: no server error, only declared status codes and content
types, bodies as documented, valid input accepted and invalid input refused with a 4xx in JSON.

Nothing is excluded: POST /api/auth/token/ is fuzzed like the rest (its failed attempts count
towards the sign-in throttle: a 429 there is documented, and the cache is a table of the test
database, rolled back with the test)."""
import time
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import AcceptedNegativeData, FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.hooks import HookDispatcher, HookScope

pytestmark = pytest.mark.django_db

# Cases per operation and generation mode, signed in; the anonymous pass runs fewer.
EXAMPLES = 40
ANONYMOUS_EXAMPLES = 10
MIN_CASES = 1000

COMMON_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
                 response_schema_conformance, response_headers_conformance]
CHECKS = {GenerationMode.POSITIVE: [*COMMON_CHECKS, positive_data_acceptance],
          GenerationMode.NEGATIVE: [*COMMON_CHECKS, negative_data_rejection]}


# in_bbox: its pattern says four numbers in range; its description adds what a JSON Schema
# cannot say (minimum before maximum, at most MAX_BBOX_DEGREES a side, in the area of the
# town's maps). Valid requests (positive mode) follow the whole rule: the generated boxes are
# drawn around the town. Invalid ones (negative mode) are left as schemathesis makes them.
def _valid_boxes(context, query):
    from geo.filters import MAX_BBOX_DEGREES

    if "in_bbox" not in (query or {}):
        return st.just(query)
    corner = st.tuples(st.floats(-74.2, -73.8), st.floats(45.2, 45.5))
    side = st.floats(0.0001, MAX_BBOX_DEGREES)
    return st.builds(
        lambda c, w, h: {**query, "in_bbox": f"{c[0]:.6f},{c[1]:.6f},{c[0] + w:.6f},"
                                             f"{c[1] + h:.6f}"},
        corner, side, side)


# The leisure catalogue's `born` (a date of birth, 1900 to today) and `age` (not both): what
# their descriptions say and a JSON Schema cannot. Valid requests follow it; invalid ones are
# left as made (tests/leisure/test_catalogue.py checks the 400s).
def _valid_leisure_filters(context, query):
    if "born" not in (query or {}):
        return st.just(query)
    import datetime as dt

    valid = {key: value for key, value in query.items() if key != "age"}
    return st.dates(dt.date(1900, 1, 1), dt.date.today()).map(
        lambda day: {**valid, "born": day.isoformat()})


# schemathesis judges an invalid request by the values it generated, and some do not survive
# being written into a URL: {"category": 5, "page_size": []} goes out as ?category=5 (an empty
# list is not sent), a valid list of one slug, which the API rightly answers 200 (CI,
# 2026-12-06), and {"category": <a pattern's mismatch>} as ?category=, an empty filter, which
# django-filter reads as none (CI, again). Before an accepted invalid request counts as a
# failure, its query string is read back as the server reads it and judged against the
# operation's parameters.
_PAGINATION = {"page", "page_size"}  # these refuse an empty value (geo/pagination.py)


def _read_as_the_server_does(text, schema):
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            return float(text)
    except ValueError:
        return text
    if kind == "boolean" and text.lower() in ("true", "1", "on", "false", "0"):
        return text.lower() in ("true", "1", "on")  # as leisure's form (filters.py) reads it
    return text


def _sent_query_is_valid(case, response):
    meta = case.meta
    others = [where for where in ParameterLocation
              if where != ParameterLocation.QUERY and meta.is_negative_at(where)]
    if others:
        return False
    sent = parse_qs(urlsplit(response.request.url).query, keep_blank_values=True)
    query, properties, required = {}, {}, []
    for parameter in case.operation.query:
        name, schema = parameter.name, parameter.definition.get("schema", {})
        properties[name] = schema
        if parameter.is_required:
            required.append(name)
        if name not in sent:
            continue
        texts = sent[name]
        if texts == [""] and not parameter.is_required and name not in _PAGINATION:
            continue  # django-filter reads an empty value as none given
        if schema.get("type") == "array":
            if not parameter.definition.get("explode", True):
                texts = texts[-1].split(",")
            query[name] = [_read_as_the_server_does(t, schema.get("items", {})) for t in texts]
        else:  # Django's QueryDict: the last of a repeated key
            query[name] = _read_as_the_server_does(texts[-1], schema)
    return jsonschema.Draft7Validator(
        {"type": "object", "properties": properties, "required": required}).is_valid(query)


POSITIVE_HOOKS = HookDispatcher(scope=HookScope.TEST)
POSITIVE_HOOKS.register_hook_with_name(_valid_boxes, "flatmap_query")
POSITIVE_HOOKS.register_hook_with_name(_valid_leisure_filters, "flatmap_query")


@pytest.fixture
def wsgi_app():
    """Django's WSGI application, in this thread and so in the test's transaction. Like
    Django's test client, no closing of "old" connections around each request: that would end
    the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def citizen(django_user_model):
    """A citizen (e-mail confirmed) with a verified link to a demo property, a session and an
    app token."""
    from allauth.account.models import EmailAddress
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from citizens.models import PropertyLink
    from properties.models import Property

    user = django_user_model.objects.create_user(username="fuzz", email="fuzz@example.org",
                                                 password="x-Citoyenne-2026!")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    home = Property.objects.exclude(address_point=None).exclude(addresses=None).order_by("pk")[5]
    PropertyLink.objects.create(user=user, property=home, role="owner", status="verified",
                                method="code")
    client = Client()
    client.force_login(user)
    return {"session": client.cookies["sessionid"].value,
            "token": Token.objects.create(user=user).key}


def _fuzz(schema, *, examples, headers=None, cookies=None):
    """Runs every operation in both modes; returns the number of cases and the failures, one
    line per (operation, mode, failure, status code)."""
    cases = Counter()
    failures = {}
    no_negative = []

    def runner(operation, mode):
        @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(
            generation_mode=mode, hooks=POSITIVE_HOOKS if mode.is_positive else None))
        def run(case):
            cases[operation.label, mode] += 1
            if operation.path == "/api/auth/token/":
                cache.clear()  # each attempt a first one (throttles count in the cache)
            # Schemathesis's WSGI transport asks for gzip and does not unpack it.
            response = case.call(headers={**(headers or {}), "Accept-Encoding": "identity"},
                                 cookies=cookies)
            try:
                case.validate_response(response, checks=CHECKS[mode], headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    if (isinstance(failure, AcceptedNegativeData)
                            and _sent_query_is_valid(case, response)):
                        continue
                    key = (operation.label, mode.value, type(failure).__name__,
                           response.status_code)
                    message = " ".join(failure.message.split())[:160]
                    failures.setdefault(key, f"{message} <- {case.as_curl_command()[:240]}")
        return run

    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                runner(operation, mode)()
            except Unsatisfiable:
                # No invalid request exists for an operation without inputs (a list with no
                # parameter, /api/me/): its negative mode has nothing to send.
                assert mode == GenerationMode.NEGATIVE, operation.label
                no_negative.append(operation.label)
    return cases, failures, no_negative


def test_api_fuzz(wsgi_app, citizen):
    started = time.monotonic()
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    signed_in, failures, no_negative = _fuzz(
        schema, examples=EXAMPLES, cookies={"sessionid": citizen["session"]},
        headers={"Authorization": f"Token {citizen['token']}"})
    anonymous, anonymous_failures, _ = _fuzz(schema, examples=ANONYMOUS_EXAMPLES)
    failures.update({("anonymous", *key): value for key, value in anonymous_failures.items()})
    elapsed = time.monotonic() - started
    operations = {label for label, _mode in signed_in}
    print(f"\n{sum(signed_in.values())} signed-in and {sum(anonymous.values())} anonymous cases "
          f"over {len(operations)} operations in {elapsed:.0f} s")
    for (label, mode), n in sorted(signed_in.items()):
        print(f"  {n:4d} {mode.value:8s} {label}")
    print("  no negative case possible:", ", ".join(no_negative))
    assert not failures, "\n".join(f"{key}: {text}" for key, text in sorted(failures.items()))
    assert len(operations) == sum(1 for _ in schema.get_all_operations())
    assert sum(signed_in.values()) >= MIN_CASES


@pytest.mark.parametrize("sent, valid", [
    ("?category=5", True),  # from {"category": 5, "page_size": []}: CI, 2026-12-06
    ("?category=parcs,5&page=2", True),
    ("?category=5&page_size=0", False),
    ("?page_size=1001", False),
    ("?page_size=x&page_size=3", True),  # Django reads the last
    ("?page=1.5", False),
    ("?category=", True),  # an empty filter: none
    ("?page_size=", False),
])
def test_an_invalid_request_is_judged_as_it_was_sent(wsgi_app, sent, valid):
    from types import SimpleNamespace

    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    case = SimpleNamespace(operation=schema["/api/places/"]["GET"],
                           meta=SimpleNamespace(is_negative_at=lambda where: where == "query"))
    response = SimpleNamespace(request=SimpleNamespace(url=f"http://localhost/api/places/{sent}"))
    assert _sent_query_is_valid(case, response) is valid
