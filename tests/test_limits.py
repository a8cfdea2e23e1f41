"""Resource limits: oversized, deeply nested and self-expanding input ends in a clean error."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL, Project
from generator.content import load_handout, load_packets
from generator.errors import ProblemsError

MEMORY_CAP = 1024 * 1024 * 1024  # 1 GiB: a refused file should need a tiny part of it


def problems(path: Path, root: Path) -> list[str]:
    with pytest.raises(ProblemsError) as caught:
        load_handout(path, root)
    return [str(p) for p in caught.value.problems]


def run_capped(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a child process with a memory cap and a generous time-out,
    so that a file that expands without limit fails the test instead of the machine."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=root,
        capture_output=True,
        text=True,
        preexec_fn=cap,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def test_a_file_over_the_size_limit(project: Project) -> None:
    path = project.handouts / "big.yaml"
    path.write_text(MINIMAL + "# " + "x" * (3 * 1024 * 1024) + "\n")
    assert problems(path, project.root) == [
        "content/handouts/en/big.yaml: the file is 3072 KB; the limit is 2 MB. "
        "Split it into smaller handouts"
    ]


def test_a_config_over_the_size_limit(project: Project, cli) -> None:
    (project.root / "handouts.yaml").write_text("# " + "x" * (3 * 1024 * 1024))
    result = cli("list")
    assert result.exit_code == 1
    assert result.stderr.startswith("handouts.yaml: the file is 3072 KB; the limit is 2 MB.")


def test_twenty_thousand_nested_brackets(project: Project) -> None:
    path = project.handouts / "deep.yaml"
    path.write_text("title: " + "[" * 20000 + "]" * 20000 + "\n")
    result = run_capped(project.root, "build", "deep")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("content/handouts/en/deep.yaml:")
    assert "nested too deeply" in result.stderr


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    lines.append("title: *i")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_not_expanded(project: Project) -> None:
    path = project.handouts / "laughs.yaml"
    path.write_text(billion_laughs())
    result = run_capped(project.root, "build", "laughs")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "content/handouts/en/laughs.yaml:2:8: anchors and aliases (& and *) are not "
        "supported here; write the text out in full"
    )


def test_an_absurd_paragraph(project: Project) -> None:
    huge = MINIMAL.replace("You might notice your breath for a moment.", "Breathe. " * 150_000)
    path = project.add("huge.yaml", huge)
    assert problems(path, project.root) == [
        "content/handouts/en/huge.yaml:12:11: blocks[0].text: is 1349999 characters; at "
        "most 5000 fit in one field. Split it into several shorter ones"
    ]


def test_ten_megabytes_in_one_field(project: Project) -> None:
    path = project.add("ten.yaml", MINIMAL.replace("for a moment.", "x" * (10 * 1024 * 1024)))
    assert problems(path, project.root)[0].endswith(
        "the limit is 2 MB. Split it into smaller handouts"
    )


def test_too_many_blocks_and_items(project: Project) -> None:
    blocks = "".join("  - type: paragraph\n    text: Hello.\n" for _ in range(400))
    path = project.add("many.yaml", MINIMAL + blocks)
    assert problems(path, project.root) == [
        "content/handouts/en/many.yaml:11:3: blocks: has too many items; at most 300 are allowed"
    ]


def test_a_packet_of_thousands_of_entries(project: Project) -> None:
    project.add("breath.yaml")
    packets = project.root / "content" / "packets"
    packets.mkdir(parents=True)
    ids = ", ".join(["breath"] * 5000)
    (packets / "huge.yaml").write_text(
        f"title: Huge\naudience: client\nlanguage: en\nsections:\n"
        f"  - title: One\n    handouts: [{ids}]\n"
    )
    with pytest.raises(ProblemsError) as caught:
        load_packets([project.root], ["huge"])
    assert [str(p) for p in caught.value.problems] == [
        "content/packets/huge.yaml:6:15: sections[0].handouts: has too many items; "
        "at most 100 are allowed"
    ]


def test_too_many_participants(project: Project, cli) -> None:
    project.add("breath.yaml")
    packets = project.root / "content" / "packets"
    packets.mkdir(parents=True)
    (packets / "mini.yaml").write_text(
        "title: Mini\naudience: client\nlanguage: en\nsections:\n"
        "  - title: One\n    handouts: [breath]\n"
    )
    csv = project.root / "people.csv"
    csv.write_text("name\n" + "".join(f"Person {n}\n" for n in range(10_050)))
    result = cli("packet", "mini", "--participants", str(csv))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "people.csv: there are 10050 participants; one run makes at most 10000 copies. "
        "Split the list into smaller files"
    )
    assert project.output_files() == {}
