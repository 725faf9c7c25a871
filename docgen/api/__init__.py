"""The HTTP API: its blueprints, and the one place a request finds the app's services."""
from __future__ import annotations

from flask import Flask, current_app

from docgen.services import Services

SERVICES = "docgen"   # the app's one extension: its Services


def services_of(app: Flask) -> Services:
    """Return an app's services (docgen.services.Services, set by create_app)."""
    found: Services = app.extensions[SERVICES]
    return found


def services() -> Services:
    """Return the services of the app answering this request."""
    return services_of(current_app)
