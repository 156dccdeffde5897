"""Pages of the API: its documentation (open to all, rendered on the server from the
OpenAPI document: no script), and the administrator's pages to register and suspend
clients."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from pathways.api import services
from pathways.api.api import api
from pathways.api.forms import ClientForm, ConfirmForm
from pathways.api.models import ApiClient
from pathways.api.problems import TITLES, TYPES
from pathways.api.scopes import SCOPES
from pathways.core.access import Action
from pathways.core.errors import DomainError
from pathways.core.http import AuthenticatedHttpRequest, requires

METHODS = ("get", "post", "put", "patch", "delete")


def _schema_of(schema: dict[str, Any], node: Any) -> dict[str, Any]:
    """A schema with its reference followed (one level: components/schemas)."""
    if isinstance(node, dict) and "$ref" in node:
        return dict(schema["components"]["schemas"].get(node["$ref"].rsplit("/", 1)[-1], {}))
    return node if isinstance(node, dict) else {}


def _type_of(schema: dict[str, Any], node: dict[str, Any]) -> str:
    if "$ref" in node:
        target = _schema_of(schema, node)
        return _type_of(schema, target) if "enum" in target else node["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in node:
        return " or ".join(_type_of(schema, part) for part in node["anyOf"])
    if "enum" in node:
        return "one of " + ", ".join(str(value) for value in node["enum"])
    if node.get("type") == "array":
        return f"list of {_type_of(schema, node.get('items', {}))}"
    kind = str(node.get("type", "object"))
    return f"{kind} ({node['format']})" if "format" in node else kind


def operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Each operation of the document as the page lists it."""
    found = []
    for url, item in schema["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            fields = []
            body = operation.get("requestBody", {}).get("content", {})
            for media, content in body.items():
                target = _schema_of(schema, content.get("schema", {}))
                required = set(target.get("required", []))
                for name, node in target.get("properties", {}).items():
                    fields.append(
                        {
                            "name": name,
                            "where": "body" if media == "application/json" else "form",
                            "type": _type_of(schema, node),
                            "required": name in required,
                            "description": node.get("description", ""),
                        }
                    )
            params = [
                {
                    "name": param["name"],
                    "where": param["in"],
                    "type": _type_of(schema, param.get("schema", {})),
                    "required": bool(param.get("required")),
                    "description": param.get("description", "")
                    or param.get("schema", {}).get("description", ""),
                }
                for param in operation.get("parameters", [])
            ]
            scopes = [
                scope
                for need in operation.get("security", [])
                for scope in need.get("ClientToken", [])
            ]
            found.append(
                {
                    "id": operation["operationId"],
                    "method": method.upper(),
                    "url": url,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "scopes": scopes,
                    "fields": params + fields,
                    "responses": [
                        {"status": code, "description": response.get("description", "")}
                        for code, response in sorted(operation.get("responses", {}).items())
                    ],
                }
            )
    return found


def docs(request: HttpRequest) -> HttpResponse:
    schema = api.get_openapi_schema()
    return render(
        request,
        "api/docs.html",
        {
            "schema": schema,
            "operations": operations(schema),
            "scopes": SCOPES,
            "problems": [(TYPES[code], code, TITLES[code]) for code in sorted(TYPES)],
            "token_seconds": settings.API_TOKEN_SECONDS,
            "rate_limit": settings.API_RATE_LIMIT,
            "rate_window": settings.API_RATE_WINDOW,
        },
    )


# ---------------------------------------------------------------- the administrator's pages


@requires(Action.ADMINISTER)
def client_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    clients = ApiClient.objects.select_related("service", "application").order_by("name", "id")
    return render(request, "api/client_list.html", {"clients": clients})


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.ADMINISTER)
def client_register(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Register a client; its secret is shown on the answer to the post, once, and never
    again (only its hash is kept)."""
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registered = services.client_register(
                actor=request.user,
                name=form.cleaned_data["name"],
                service=form.cleaned_data["service"],
                scopes=form.cleaned_data["scopes"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return render(
                request,
                "api/client_registered.html",
                {"registered": registered, "token_url": reverse("api_token")},
            )
    return render(request, "api/client_register.html", {"form": form})


@requires(Action.ADMINISTER)
def client_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(ApiClient.objects.select_related("service", "application"), pk=pk)
    return render(
        request,
        "api/client_detail.html",
        {"client": client, "scopes": [(scope, SCOPES[scope]) for scope in client.scopes]},
    )


def _change(request: AuthenticatedHttpRequest, pk: int, suspend: bool) -> HttpResponse:
    client = get_object_or_404(ApiClient, pk=pk)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        change = services.client_suspend if suspend else services.client_reinstate
        change(actor=request.user, client=client)
        messages.success(
            request,
            f"{client.name} is suspended: every call and token is refused"
            if suspend
            else f"{client.name} may call the API again",
        )
        return redirect("api_clients:detail", pk=client.pk)
    return render(
        request,
        "api/client_change.html",
        {"client": client, "form": form, "suspend": suspend},
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.ADMINISTER)
def client_suspend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _change(request, pk, suspend=True)


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.ADMINISTER)
def client_reinstate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _change(request, pk, suspend=False)
