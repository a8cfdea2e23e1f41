"""The YAML test suite's invalid documents: each must end in a clean, named error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import CORPORA, Project
from generator.content import load_handout
from generator.errors import ProblemsError

FOLDER = CORPORA / "yaml-test-suite-errors"
INVALID = sorted(FOLDER.glob("*.yaml"))

# The corpus lives beside the repository (CI has it); a plain clone or the
# sdist has no ../shared, and these tests say so instead of failing.
pytestmark = pytest.mark.skipif(
    not FOLDER.is_dir(), reason=f"the YAML test suite's invalid documents are not at {FOLDER}"
)


def test_the_corpus_is_there() -> None:
    assert len(INVALID) == 94


@pytest.mark.parametrize("source", INVALID, ids=lambda p: p.stem)
def test_invalid_yaml_is_a_located_error(project: Project, source: Path) -> None:
    target = project.handouts / f"{source.stem.lower()}.yaml"
    shutil.copyfile(source, target)
    with pytest.raises(ProblemsError) as caught:
        load_handout(target, project.root)
    problems = caught.value.problems
    assert problems
    assert all(p.path == f"content/handouts/en/{target.name}" for p in problems)
    assert all(p.message for p in problems)


def test_cli_reports_the_whole_corpus_without_traceback(project: Project, cli) -> None:
    for source in INVALID:
        shutil.copyfile(source, project.handouts / f"{source.stem.lower()}.yaml")
    result = cli("build")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    named = {line.split(":", 1)[0] for line in result.stderr.splitlines()[:-1]}
    assert named == {f"content/handouts/en/{s.stem.lower()}.yaml" for s in INVALID}
    assert project.output_files() == {}
