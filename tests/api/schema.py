"""Answers checked against the schema the app serves (OpenAPI 3.1: its schemas are JSON Schema)."""

from __future__ import annotations

import re
from typing import Any

import jsonschema


class ServedSchema:
    """The served OpenAPI document; ``check`` validates one answer against it."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.validators: dict[tuple[str, str, int], jsonschema.Draft202012Validator] = {}
        self.paths = [
            (re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), path)
            # A literal path before a template it also matches (cases/changes/ before cases/{id}/).
            for path in sorted(document["paths"], key=lambda path: path.count("{"))
        ]

    def template(self, path: str) -> str:
        for pattern, template in self.paths:
            if pattern.match(path):
                return template
        raise AssertionError(f"{path} is not in the served schema")

    def operation(self, method: str, path: str) -> dict[str, Any]:
        return self.document["paths"][self.template(path)][method.lower()]

    def check(self, method: str, path: str, status: int, body: Any) -> None:
        """Fail unless the status is documented for the operation and the body fits its schema."""
        responses = self.operation(method, path)["responses"]
        assert str(status) in responses, f"{method} {path}: {status} is not documented"
        content = responses[str(status)].get("content", {}).get("application/json")
        assert content is not None, f"{method} {path}: {status} documents no JSON body"
        key = (method, self.template(path), status)
        if key not in self.validators:
            schema = {**content["schema"], "components": self.document.get("components", {})}
            jsonschema.Draft202012Validator.check_schema(schema)
            self.validators[key] = jsonschema.Draft202012Validator(schema)
        self.validators[key].validate(body)
