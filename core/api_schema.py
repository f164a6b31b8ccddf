"""The API description (drf-spectacular) declares the errors each operation can answer, with the
body they have: `{"detail": "..."}` (config.api_errors and core.errors write every API error
so; a rejected field also lists its messages under `errors`).

Which errors, from what the view is:
  400  it reads query parameters or a request body;
  403  it asks for permission (signed in), or reads credentials that can be wrong (a token);
  404  it has a path parameter, or is paginated (a page beyond the last);
  415  it reads a request body (in a media type it does not parse);
  429  it is throttled.
A view declares any other (or these, with its own description) in @extend_schema(responses=);
what it declares is kept.

A text parameter is also documented as text without a NUL byte (core.http.RefuseNulBytes
answers one with a 400: PostgreSQL cannot hold it)."""
from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent, build_object_type
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny

NO_NUL = "^[^\\x00]*$"
ERROR_COMPONENT = "Error"
ERROR_SCHEMA = build_object_type(
    properties={
        "detail": {"type": "string", "description": "What went wrong, in the user's language."},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "For a rejected field: its messages, by parameter name.",
        },
    },
    required=["detail"],
)
DESCRIPTIONS = {
    "400": "The request's parameters or body are not valid: see `detail`.",
    "403": "Not signed in, wrong credentials, or not allowed.",
    "404": "Not found (no such object, or a page beyond the last).",
    "415": "The request body is not in a media type the operation reads.",
    "429": "Too many requests: try again after Retry-After seconds.",
}


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            for text in (schema, schema.get("items", {})):
                if text.get("type") == "string" and not {"pattern", "enum", "format"} & set(text):
                    text["pattern"] = NO_NUL
        responses = operation["responses"]
        for code in self.error_codes(operation):
            if code in responses:
                continue
            responses[code] = {
                "content": {"application/json": {"schema": self._error_component().ref}},
                "description": DESCRIPTIONS[code],
            }
        for code, response in responses.items():
            if code[0] in "45" and not response.get("content"):
                # declared by the view without a body (OpenApiResponse(description=...))
                response["content"] = {"application/json": {"schema":
                                                            self._error_component().ref}}
        return operation

    def error_codes(self, operation) -> list[str]:
        parameters = operation.get("parameters", [])
        view = self.view
        codes = []
        if operation.get("requestBody") or any(p["in"] == "query" for p in parameters):
            codes.append("400")
        permissions = view.get_permissions()
        authenticators = view.get_authenticators()
        if any(not isinstance(p, AllowAny) for p in permissions) or any(
                not isinstance(a, SessionAuthentication) for a in authenticators):
            codes.append("403")
        if any(p["in"] == "path" for p in parameters) or self._is_paginated_list():
            codes.append("404")
        if operation.get("requestBody"):
            codes.append("415")
        if view.get_throttles():
            codes.append("429")
        return codes

    def _is_paginated_list(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None

    def _error_component(self) -> ResolvedComponent:
        component = ResolvedComponent(name=ERROR_COMPONENT, type=ResolvedComponent.SCHEMA,
                                      object=ERROR_COMPONENT, schema=ERROR_SCHEMA)
        self.registry.register_on_missing(component)
        return component
