"""Answers checked against the schema the app serves (OpenAPI 3.1: its schemas are JSON Schema)."""

from __future__ import annotations

import re
from typing import Any

import jsonschema


class ServedSchema:
    """The served OpenAPI document; ``check`` validates one answer against it."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.paths = [
            (re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), path)
            # A literal path before a template it also matches (cases/changes/ before cases/{id}/).
            for path in sorted(document["paths"], key=lambda path: path.count("{"))
        ]

    def operation(self, method: str, path: str) -> dict[str, Any]:
        for pattern, template in self.paths:
            if pattern.match(path):
                return self.document["paths"][template][method.lower()]
        raise AssertionError(f"{method} {path} is not in the served schema")

    def check(self, method: str, path: str, status: int, body: Any) -> None:
        """Fail unless the status is documented for the operation and the body fits its schema."""
        responses = self.operation(method, path)["responses"]
        assert str(status) in responses, f"{method} {path}: {status} is not documented"
        content = responses[str(status)].get("content", {}).get("application/json")
        assert content is not None, f"{method} {path}: {status} documents no JSON body"
        schema = {**content["schema"], "components": self.document.get("components", {})}
        jsonschema.validate(body, schema, cls=jsonschema.Draft202012Validator)
