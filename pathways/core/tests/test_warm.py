"""The web server's master is warmed before it forks (pathways/core/warm.py): every view
imported and every template compiled, without touching the database."""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from django.template import engines
from django.template.backends.django import DjangoTemplates

from pathways.core import warm

ROOT = Path(__file__).resolve().parents[3]


def _loader() -> Any:
    engine = engines["django"]
    assert isinstance(engine, DjangoTemplates)
    return engine.engine.template_loaders[0]


def _cached(name: str) -> bool:
    loader = _loader()
    return any(key == name or key.startswith(f"{name}-") for key in loader.get_template_cache)


def test_every_template_is_compiled_and_every_url_name_built_without_the_database() -> None:
    # No django_db mark: any query here would fail the test.
    _loader().reset()
    ours = list((ROOT / "templates").rglob("*.html"))
    done = warm.warm()
    assert done["templates"] >= len(ours) > 100
    assert _cached("base.html") and _cached("registration/login.html")
    assert _cached("admin/base.html")  # an app's templates too (APP_DIRS)
    assert done["routes"] > 100  # namespaced URL names included


def test_a_template_that_does_not_compile_is_logged_and_skipped(
    settings: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "fine.html").write_text("<p>{{ x }}</p>")
    (tmp_path / "broken.html").write_text("{% if %}")
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [tmp_path],
            "APP_DIRS": False,
        }
    ]
    with caplog.at_level(logging.WARNING, logger="pathways.core.warm"):
        done = warm.warm()
    assert done["templates"] == 1
    assert "broken.html" in caplog.text and "fine.html" not in caplog.text


def _gunicorn_config() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gunicorn_warm_test", ROOT / "config/gunicorn.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("preload", [True, False])
def test_gunicorn_warms_its_master_only_when_it_preloads_the_application(
    monkeypatch: pytest.MonkeyPatch, preload: bool
) -> None:
    config = _gunicorn_config()
    assert config.preload_app is True
    calls: list[str] = []

    def counted() -> dict[str, int]:
        calls.append("warm")
        return {"routes": 1, "templates": 2}

    monkeypatch.setattr(warm, "warm", counted)
    logged: list[str] = []
    server = SimpleNamespace(
        cfg=SimpleNamespace(preload_app=preload),
        log=SimpleNamespace(info=lambda message, *args: logged.append(message % args)),
    )
    config.when_ready(server)
    assert calls == (["warm"] if preload else [])
    assert logged == (["Warmed before forking: 1 URL names, 2 templates"] if preload else [])
