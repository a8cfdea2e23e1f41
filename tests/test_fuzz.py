"""Fuzzing: generated YAML and near-valid handouts end in a PDF or a clean located error.

The run count is modest by default; set HANDOUTS_FUZZ_EXAMPLES for a longer run,
for example HANDOUTS_FUZZ_EXAMPLES=20000 pytest tests/test_fuzz.py.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from conftest import DATA
from generator.config import Project as ProjectSettings
from generator.content import load_handout
from generator.errors import HandoutError, ProblemsError
from generator.model import Handout
from generator.options import RenderOptions
from generator.render import Renderer

EXAMPLES = int(os.environ.get("HANDOUTS_FUZZ_EXAMPLES", "500"))
PDF_EXAMPLES = max(20, EXAMPLES // 20)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
    database=None,  # nothing written into the checkout's .hypothesis/
)

BASE: dict[str, Any] = yaml.safe_load((DATA / "all-blocks.yaml").read_text(encoding="utf-8"))
# The image block needs a file on disk; the rest of the sample is self-contained.
BASE["blocks"] = [b for b in BASE["blocks"] if b["type"] != "image"]


@dataclass(frozen=True)
class Fuzzed:
    """The project the generated documents are written into, in pytest's tmp folder."""

    root: Path
    folder: Path
    renderer: Renderer


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Fuzzed:
    root = tmp_path_factory.mktemp("fuzz") / "project"
    folder = root / "content" / "handouts" / "en"
    folder.mkdir(parents=True)
    return Fuzzed(root, folder, Renderer(ProjectSettings(root=root)))


def outcome(fuzzed: Fuzzed, text: str | bytes) -> str:
    """Load (and, when valid, render) one document; return "ok" or "error".

    Anything other than a located ProblemsError or HandoutError escapes and
    fails the test, as a traceback would for a user.
    """
    path = fuzzed.folder / "fuzzed.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    try:
        item = load_handout(path, fuzzed.root)
    except ProblemsError as exc:
        assert exc.problems, "an error must say what is wrong"
        assert all(p.path.endswith("fuzzed.yaml") for p in exc.problems)
        assert all(p.message for p in exc.problems)
        return "error"
    try:
        fuzzed.renderer.render(item, RenderOptions(paper="letter"))
    except (ProblemsError, HandoutError):
        return "error"
    return "ok"


def valid_fields(document: Any) -> bool:
    """Whether the handout model accepts the document's fields (the file's place
    on disk and its markup are checked besides, so "ok" needs more than this)."""
    try:
        Handout.model_validate(document)
    except ValidationError:
        return False
    return True


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.dates(),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.text(max_size=12), children, max_size=5),
    ),
    max_leaves=20,
)


# Random text and random documents never hold a handout's required fields
# (title, purpose, audience, language, version, reviewed, sources, blocks), so
# each is a clean located error: `outcome` checks the error, this its kind.


@FUZZ
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_any_text_is_a_handout_or_a_clean_error(fuzzed: Fuzzed, text: str | bytes) -> None:
    assert outcome(fuzzed, text) == "error"


@FUZZ
@given(values)
def test_any_yaml_document_is_a_handout_or_a_clean_error(fuzzed: Fuzzed, document: Any) -> None:
    assert not valid_fields(document)
    assert outcome(fuzzed, yaml.safe_dump(document, allow_unicode=True)) == "error"


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a nested document a mutation can land."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


ALL_PATHS = paths(BASE)[1:]
replacements = st.one_of(
    values,
    st.text(
        alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "So"]), max_size=30
    ),
    st.just("x" * 6000),
    st.just("{{ 7*7 }} <script>alert(1)</script> [x](file:///etc/passwd)"),
)
mutations = st.lists(
    st.tuples(st.sampled_from(ALL_PATHS), st.sampled_from(["drop", "replace"]), replacements),
    min_size=1,
    max_size=4,
)


def mutate(document: dict[str, Any], changes: list[tuple[tuple[Any, ...], str, Any]]) -> Any:
    result = copy.deepcopy(document)
    for path, action, value in changes:
        parent: Any = result
        try:
            for key in path[:-1]:
                parent = parent[key]
            if action == "drop":
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this place
    return result


def test_the_unchanged_sample_is_a_handout(fuzzed: Fuzzed) -> None:
    assert valid_fields(BASE)
    assert outcome(fuzzed, yaml.safe_dump(BASE, allow_unicode=True)) == "ok"


@FUZZ
@given(mutations)
def test_near_valid_handouts_are_a_handout_or_a_clean_error(
    fuzzed: Fuzzed, changes: list[Any]
) -> None:
    document = mutate(BASE, changes)
    result = outcome(fuzzed, yaml.safe_dump(document, allow_unicode=True))
    # Fields the model refuses are always an error; fields it accepts may still
    # be one (a language other than the folder's, markup nested too deeply).
    if not valid_fields(document):
        assert result == "error"


@settings(
    max_examples=PDF_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mutations)
def test_near_valid_handouts_make_a_pdf_or_a_clean_error(
    fuzzed: Fuzzed, changes: list[Any]
) -> None:
    from generator.layout import allowed_folders
    from generator.pdf import html_to_pdf

    path = fuzzed.folder / "fuzzed.yaml"
    path.write_text(yaml.safe_dump(mutate(BASE, changes), allow_unicode=True), encoding="utf-8")
    try:
        item = load_handout(path, fuzzed.root)
        rendered = fuzzed.renderer.render(item, RenderOptions(paper="letter"))
    except (ProblemsError, HandoutError):
        return
    result = html_to_pdf(rendered.html, rendered.base_url, allowed_folders(fuzzed.renderer.project))
    assert result.data.startswith(b"%PDF-")
    assert result.blocked == ()
