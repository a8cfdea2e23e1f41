"""JSON Schema of the content files, from the pydantic models, for editors and CI."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from generator.config import ProjectConfig
from generator.model import Handout, Packet

TITLES: dict[str, tuple[type[BaseModel], str]] = {
    "handout": (Handout, "A handout: content/handouts/<language>/<id>.yaml"),
    "packet": (Packet, "A workshop packet: content/packets/<id>.yaml"),
    "config": (ProjectConfig, "A project's settings: handouts.yaml"),
}


def json_schema(kind: str) -> str:
    """The JSON Schema (draft 2020-12) for one kind of file, as text."""
    model, description = TITLES[kind]
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **model.model_json_schema(),
    }
    schema["description"] = description
    return json.dumps(schema, indent=2, ensure_ascii=False)
