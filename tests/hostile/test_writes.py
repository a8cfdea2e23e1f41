"""What `handouts new` and `handouts template copy` write stays in the project.

A project's `content/` or `templates/` folder (or one inside them, or the
very file to be written) may be a link to somewhere else; the new file must
not be carried there through it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import MINIMAL, Project


def _outside(tmp_path: Path) -> Path:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    return elsewhere


def _link(link: Path, target: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target, target_is_directory=target.is_dir())


@pytest.mark.parametrize(
    "linked",
    ["content", "content/handouts", "content/handouts/en", "file", "relative-content"],
)
def test_new_never_writes_through_a_link(
    project: Project, cli, tmp_path: Path, linked: str
) -> None:
    elsewhere = _outside(tmp_path)
    root = project.root
    if linked == "file":
        _link(root / "content/handouts/en/sleep.yaml", elsewhere / "sleep.yaml")
    elif linked == "relative-content":
        (elsewhere / "handouts/en").mkdir(parents=True)
        shutil.rmtree(root / "content")
        (root / "content").symlink_to(os.path.relpath(elsewhere, root))
    else:
        (elsewhere / "handouts/en").mkdir(parents=True, exist_ok=True)
        target = {
            "content": elsewhere,
            "content/handouts": elsewhere / "handouts",
            "content/handouts/en": elsewhere / "handouts/en",
        }[linked]
        link = root / linked
        shutil.rmtree(link)
        _link(link, target)
    before = sorted(p.name for p in elsewhere.rglob("*"))
    result = cli("new", "sleep")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "outside the project" in result.output or "already exists" in result.output
    assert sorted(p.name for p in elsewhere.rglob("*")) == before


@pytest.mark.parametrize("linked", ["templates", "templates/css", "file"])
def test_template_copy_never_writes_through_a_link(
    project: Project, cli, tmp_path: Path, linked: str
) -> None:
    elsewhere = _outside(tmp_path)
    root = project.root
    (root / "handouts.yaml").write_text("language: en\n")
    if linked == "file":
        _link(root / "templates/css/print.css", elsewhere / "print.css")
    elif linked == "templates":
        (root / "templates").symlink_to(elsewhere, target_is_directory=True)
    else:
        (root / "templates").mkdir()
        (root / "templates/css").symlink_to(elsewhere, target_is_directory=True)
    result = cli("template", "copy", "css/print.css", "--force")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "outside the project" in result.output
    assert list(elsewhere.rglob("*")) == []


def test_a_templates_folder_linked_to_another_folder_of_the_project_is_refused_too(
    project: Project, cli
) -> None:
    root = project.root
    (root / "real-templates").mkdir()
    (root / "handouts.yaml").write_text("language: en\n")
    (root / "templates").symlink_to(root / "real-templates", target_is_directory=True)
    result = cli("template", "copy", "css/print.css")
    # Inside the project, but not its templates/ folder: reads refuse it too.
    assert result.exit_code == 1
    assert "outside the project's templates/ folder" in result.output


def test_a_build_writes_only_its_outputs_its_cache_and_the_cache_secret(tmp_path: Path) -> None:
    """No log, no stray file: everything a build and a packet leave, anywhere they can write."""
    from harness import run

    root = tmp_path / "clinic"
    (root / "content/handouts/en").mkdir(parents=True)
    (root / "content/handouts/en/breath.yaml").write_text(MINIMAL)
    (root / "content/packets").mkdir()
    (root / "content/packets/mini.yaml").write_text(
        "title: Mini\naudience: client\nlanguage: en\n"
        "sections:\n  - title: One\n    handouts: [breath]\n"
    )
    before = {p.relative_to(root) for p in root.rglob("*")}
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "XDG_CACHE_HOME": ""}
    for args in (
        ("build", "breath"),
        ("packet", "mini"),
        ("build", "breath", "--client-name", "Ana"),
    ):
        outcome = run(args, root, tmp=tmp_path / "tmp", env=env)
        outcome.assert_clean(code=0)
    made = sorted(
        str(p.relative_to(root)) for p in root.rglob("*") if p.relative_to(root) not in before
    )
    assert {m.split("/")[0] for m in made} == {"output", ".handouts-cache"}
    assert not [m for m in made if "Ana" in m or m.endswith((".log", ".tmp"))]
    assert sorted(str(p.relative_to(home)) for p in home.rglob("*")) == [
        ".cache",
        ".cache/handouts",
        ".cache/handouts/cache-secret",
    ]
    assert list((tmp_path / "tmp").iterdir()) == []
