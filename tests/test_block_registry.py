"""The block registry: a new block type is a model class and a template, and nothing else."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import pytest
from pypdf import PdfReader

from conftest import Project, handout_text
from generator.blocks import BLOCKS, BlockModel
from generator.content import load_handout
from generator.errors import ProblemsError
from generator.fields import Line, Text
from generator.schema import json_schema

CHOICES = (
    "section, subsection, paragraph, list, list_group, steps, callout, compare, table, "
    "definition, key_points, quote, worksheet, image, clinician_note, pocket_card, columns, contact, diagram"
)

HANDOUT = handout_text(
    "A new kind of block",
    "A handout with a block type the tool did not have.",
    "  - type: paragraph\n    text: You might notice your breath.\n  - type: throwaway\n",
)


@contextmanager
def throwaway_block() -> Iterator[type[BlockModel]]:
    """A block type registered for one test, and unregistered after it, whatever happens."""

    class Throwaway(BlockModel):
        """A saying in a box, made up for this test."""

        type: Literal["throwaway"]
        saying: Text
        signed: Line | None = None

    try:
        yield Throwaway
    finally:
        BLOCKS.remove("throwaway")


@pytest.fixture
def throwaway() -> Iterator[type[BlockModel]]:
    with throwaway_block() as block:
        yield block


@pytest.fixture
def throwaway_project(project: Project) -> Project:
    """A project whose own templates folder holds the new block's template."""
    folder = project.root / "templates" / "blocks"
    folder.mkdir(parents=True)
    (folder / "throwaway.html").write_text(
        '<aside class="block throwaway" data-field="{{ block_field }}">\n'
        "  <p>{{ block.saying|md }}</p>\n"
        "  {% if block.signed %}<p>{{ block.signed|md }}</p>{% endif %}\n"
        "</aside>\n"
    )
    return project


def test_a_registered_block_builds_into_the_pdf(
    throwaway: type[BlockModel], throwaway_project: Project, cli, laid_out
) -> None:
    throwaway_project.add(
        "new-block.yaml",
        HANDOUT + "    saying: Rest is part of the work.\n    signed: An old proverb\n",
    )
    result = cli("build", "new-block", "--strict")
    assert result.exit_code == 0, result.output
    [html] = [html for html, _ in laid_out]
    assert (
        '<aside class="block throwaway" data-field="blocks[1]">\n'
        "  <p>Rest is part of the work.</p>\n"
        "<p>An old proverb</p></aside>"
    ) in html
    page = PdfReader(throwaway_project.root / "output/en/new-block.pdf").pages[0]
    text = " ".join(page.extract_text().split())
    assert "You might notice your breath. Rest is part of the work. An old proverb" in text


def test_a_registered_block_is_validated_with_located_messages(
    throwaway: type[BlockModel], throwaway_project: Project
) -> None:
    path = throwaway_project.add("bad.yaml", HANDOUT + "    sayin: Rest.\n    signed: [1, 2]\n")
    with pytest.raises(ProblemsError) as caught:
        load_handout(path, throwaway_project.root)
    assert [str(p) for p in caught.value.problems] == [
        "content/handouts/en/bad.yaml:14:5: blocks[1].sayin: unknown field `sayin`; "
        "did you mean `saying`?",
        "content/handouts/en/bad.yaml:15:13: blocks[1].signed: should be text, not a list",
    ]


def test_a_registered_block_is_in_the_schema(throwaway: type[BlockModel]) -> None:
    schema = json.loads(json_schema("handout"))
    mapping = schema["properties"]["blocks"]["items"]["discriminator"]["mapping"]
    assert mapping["throwaway"] == "#/$defs/Throwaway"
    assert schema["$defs"]["Throwaway"]["required"] == ["type", "saying"]
    assert (
        schema["$defs"]["Throwaway"]["description"] == "A saying in a box, made up for this test."
    )


def unknown_type_message(project: Project) -> str:
    path = project.add("typo.yaml", HANDOUT.replace("throwaway", "throwawy") + "    saying: Hi.\n")
    with pytest.raises(ProblemsError) as caught:
        load_handout(path, project.root)
    [problem] = caught.value.problems
    return str(problem)


def test_the_choices_of_block_types_come_and_go_with_the_registry(project: Project) -> None:
    with throwaway_block():
        assert unknown_type_message(project) == (
            "content/handouts/en/typo.yaml:13:5: blocks[1]: unknown type `throwawy`; "
            f"did you mean `throwaway`? the choices are: {CHOICES}, throwaway"
        )
    assert "throwaway" not in BLOCKS.tags()
    assert "throwaway" not in json_schema("handout")
    assert unknown_type_message(project) == (
        "content/handouts/en/typo.yaml:13:5: blocks[1]: unknown type `throwawy`; "
        f"the choices are: {CHOICES}"
    )


def test_a_block_type_is_declared_once() -> None:
    with pytest.raises(TypeError, match="`type` must be literals that no other model has"):

        class Again(BlockModel):
            type: Literal["paragraph"]

    assert BLOCKS.members["paragraph"].__name__ == "Paragraph"
    # A model of two types is refused whole when one of them is taken.
    with pytest.raises(TypeError, match="taken: section, subsection, paragraph"):

        class Both(BlockModel):
            type: Literal["tip", "paragraph"]

    assert "tip" not in BLOCKS.tags()
    # Types of one shape share a model, each its own name.
    assert BLOCKS.members["section"] is BLOCKS.members["subsection"]
    assert BLOCKS.models().count(BLOCKS.members["section"]) == 1
