"""The shared shape of a form page: ask, act through one service, report, move on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pathways.core.errors import DomainError


def form_page(
    request: HttpRequest,
    *,
    form: forms.Form,
    perform: Callable[[dict[str, Any]], object],
    title: str,
    button: str,
    done: str,
    back_url: str,
    back_label: str,
    caption: str = "",
    success_url: str | Callable[[Any], str] | None = None,
    intro: str = "",
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """Render ``form``; on a valid post call ``perform``. A refusal by a rule of the
    service shows as an error on the form, and nothing is saved. ``success_url`` may be a
    function of what ``perform`` returned (the record just made); the default goes back."""
    if request.method == "POST" and form.is_valid():
        try:
            result = perform(form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, done)
            target = success_url(result) if callable(success_url) else success_url
            return redirect(target or back_url)
    return render(
        request,
        "core/action.html",
        {
            "form": form,
            "title": title,
            "button": button,
            "caption": caption,
            "back_url": back_url,
            "back_label": back_label,
            "intro": intro,
            **(context or {}),
        },
    )
