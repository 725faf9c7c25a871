"""The OpenAPI description: pydantic models as components, shared responses, and what every route declares."""
from __future__ import annotations

from flask_openapi3.models import Schema
from pydantic import BaseModel

REF = "#/components/schemas/{model}"


def schema_ref(components: dict, model: type[BaseModel]) -> dict:
    """Register `model` and the models it refers to as components; return a `$ref` to it."""
    schema = model.model_json_schema(ref_template=REF)
    for name, value in {**schema.pop("$defs", {}), model.__name__: schema}.items():
        components[name] = Schema(**value)
    return {"$ref": REF.format(model=model.__name__)}
