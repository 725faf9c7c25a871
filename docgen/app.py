"""The Flask app factory: settings, the services, blueprints and error handlers, each a step."""
from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_openapi3 import Info, OpenAPI
from pydantic import ValidationError

from docgen import config as config_module
from docgen.api import SERVICES, services_of
from docgen.api.openapi import (COMMON, DESCRIPTION, InvalidPayloadProblem, bytes_for_octet_stream, finish,
                                 operation_id, register_problems)
from docgen.bootstrap import bootstrap
from docgen.services import Services


class DocgenAPI(OpenAPI):
    """flask-openapi3's app, whose /openapi.json also says which operations take a unit's API key (and whether
    /metrics takes a token)."""

    def generate_spec_json(self) -> Any:
        """Generate the OpenAPI document, with the security the settings ask for."""
        spec = super().generate_spec_json()
        from docgen.api import access, metrics

        settings = services_of(self).settings
        access.describe(self.spec_json, settings.REQUIRE_API_KEY)
        metrics.describe(self.spec_json, bool(settings.METRICS_TOKEN))
        finish(self.spec_json)
        return spec


def create_app(config: dict[str, Any] | None = None) -> OpenAPI:
    """Create the docgen app; with no configuration it runs on one machine with SQLite under DATA_DIR.

    `config` holds settings without the DOCGEN_ prefix, which win over the environment."""
    settings = config_module.settings(config)
    bootstrap(settings.FONTS_DIR)
    app = _make_app()
    app.config.update(config_module.flask_config(settings))   # Flask's own (TESTING, SECRET_KEY) and for reading
    app.config["MAX_CONTENT_LENGTH"] = settings.MAX_BODY_BYTES
    app.config["MAX_FORM_MEMORY_SIZE"] = settings.MAX_BODY_BYTES   # a form field (a batch's JSON) is a body
    app.config["TRUSTED_HOSTS"] = [h.strip() for h in settings.ALLOWED_HOSTS.split(",") if h.strip()] or None
    app.before_request(lambda: _limit_body(settings))
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    services = app.extensions[SERVICES] = Services.build(settings)
    _start_batches(services)
    _register_blueprints(app)
    _register_error_handlers(app)
    _register_metrics(app)
    return app


def _make_app() -> DocgenAPI:
    """Create the Flask app with its OpenAPI description; the answers declared hold for every operation."""
    app = DocgenAPI(__name__, info=Info(title="docgen — 职称评审文书生成服务", version="0.1.0", description=DESCRIPTION),
                    doc_prefix="/docs", doc_url="/openapi.json", responses=COMMON,
                    operation_id_callback=operation_id, validation_error_model=InvalidPayloadProblem,
                    validation_error_callback=_validation_error)
    register_problems(app.components_schemas)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Flask's DefaultJSONProvider
    app.json.sort_keys = False  # type: ignore[attr-defined]
    return app


def _validation_error(exc: ValidationError) -> Response:
    from docgen.api import problems

    return problems.validation_error(exc)


def _start_batches(services: Services) -> None:
    """Batches go to Celery when BROKER_URL is set; else to the embedded runner — on a thread of this process,
    unless `docgen serve` runs it beside gunicorn (BATCH_RUNNER=none in its workers)."""
    from docgen.batch import executor

    settings = services.settings
    if settings.BROKER_URL:
        from docgen.batch.tasks import make_celery

        services.dispatch = executor.CeleryDispatch(make_celery(settings))
    elif settings.BATCH_RUNNER == "thread":
        from docgen.batch.local import LocalRunner

        services.dispatch = executor.LocalDispatch(LocalRunner(services).start())


def _limit_body(settings: config_module.Settings) -> None:
    """Let an upload (multipart: a batch or package with its scans) be as large as MAX_UPLOAD_BYTES."""
    request.max_content_length = config_module.body_limit(settings, request.content_type or "")


def _register_blueprints(app: OpenAPI) -> None:
    from docgen import logs
    from docgen.api import access, batches, documents, erasures, meta, profiles, verify, web

    logs.register(app)
    access.register(app)
    app.after_request(bytes_for_octet_stream)
    app.register_api(documents.bp)
    app.register_api(batches.bp)
    app.register_api(erasures.bp)
    app.register_api(profiles.bp)
    app.register_api(verify.bp)
    app.register_api(meta.bp)
    app.register_blueprint(web.bp)


def _register_error_handlers(app: OpenAPI) -> None:
    from docgen.api import problems

    problems.register(app)


def _register_metrics(app: OpenAPI) -> None:
    from docgen.api import metrics

    metrics.register(app)
