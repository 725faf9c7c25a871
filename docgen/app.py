"""The Flask app factory: configuration, the rendering core, blueprints and error handlers, each a step."""
from __future__ import annotations

from pathlib import Path

from flask_openapi3 import Info, OpenAPI

from docgen import config as config_module
from docgen.api.openapi import COMMON, DESCRIPTION, InvalidPayloadProblem, operation_id, register_problems
from docgen.batch.store import BatchStore
from docgen.documents import Renderer
from docgen.limits.overload import Gate


class DocgenAPI(OpenAPI):
    """flask-openapi3's app, whose /openapi.json also says which operations take a unit's API key (and whether
    /metrics takes a token)."""

    def generate_spec_json(self):
        super().generate_spec_json()
        from docgen.api import access, metrics

        access.describe(self.spec_json, self.config["REQUIRE_API_KEY"])
        metrics.describe(self.spec_json, bool(self.config["METRICS_TOKEN"]))


def create_app(config: dict | None = None) -> OpenAPI:
    """Create the docgen app; with no configuration it runs on one machine with SQLite under DATA_DIR."""
    settings = config_module.load(config)
    # routes describe their answers (docgen/api/openapi.py); these hold for every operation, blueprints' included
    app = DocgenAPI(__name__, info=Info(title="docgen — 职称评审文书生成服务", version="0.1.0", description=DESCRIPTION),
                  doc_prefix="/docs", doc_url="/openapi.json", responses=COMMON,
                  operation_id_callback=operation_id, validation_error_model=InvalidPayloadProblem,
                  validation_error_callback=_validation_error)
    register_problems(app.components_schemas)
    app.config.update(settings)
    app.extensions["settings"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_BODY_BYTES"]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Flask's DefaultJSONProvider
    app.json.sort_keys = False  # type: ignore[attr-defined]
    _make_data_dir(app)
    _register_renderer(app)
    _register_batches(app)
    _register_blueprints(app)
    _register_error_handlers(app)
    _register_metrics(app)
    return app


def _validation_error(exc):
    from docgen.api import problems

    return problems.validation_error(exc)


def _make_data_dir(app: OpenAPI) -> None:
    Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)


def _register_renderer(app: OpenAPI) -> None:
    renderer = app.extensions["docgen"] = Renderer.from_config(app.config)
    app.extensions["registry"] = renderer.registry
    # one thread per worker stays free for health checks and downloads while the others render
    app.extensions["gate"] = Gate(slots=app.config["THREADS"] - 1, wait=app.config["RENDER_WAIT"],
                                  time_limit=app.config["RENDER_TIME_LIMIT"])


def _register_batches(app: OpenAPI) -> None:
    """Batches go to Celery when BROKER_URL is set; else to the embedded runner — on a thread of this process,
    unless `docgen serve` runs it beside gunicorn (BATCH_RUNNER=none in its workers)."""
    from docgen.batch import executor
    from docgen.storage import from_config

    app.extensions["batch_store"] = BatchStore(app.extensions["registry"])
    app.extensions["storage"] = from_config(app.config)
    if app.config["BROKER_URL"]:
        from docgen.batch.tasks import make_celery

        app.extensions["batch_dispatch"] = executor.CeleryDispatch(make_celery(app.extensions["settings"]))
        return
    runner = None
    if app.config["BATCH_RUNNER"] == "thread":
        from docgen.batch.local import LocalRunner

        runner = app.extensions["batch_runner"] = LocalRunner(app.extensions["settings"],
                                                              app.extensions["registry"]).start()
    app.extensions["batch_dispatch"] = executor.LocalDispatch(runner)


def _register_blueprints(app: OpenAPI) -> None:
    from docgen import logs
    from docgen.api import access, batches, documents, erasures, meta, profiles, verify, web

    logs.register(app)
    access.register(app)
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
