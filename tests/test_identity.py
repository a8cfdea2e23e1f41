"""Build identity: a build's files are decided by the handouts, never by the cache.

The cache only saves layout work; every build reads and checks every
handout it names, and a file's name comes from the handout's id, language
and print options.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from pypdf import PdfReader

from conftest import MINIMAL, Project
from generator.cache import CACHE_FOLDER
from generator.config import builtin_root


def first_page(path: Path) -> str:
    return " ".join(PdfReader(path).pages[0].extract_text().split())


def test_a_copied_handout_builds_under_its_own_name(project: Project, cli) -> None:
    """The repro: two files with the same bytes are two handouts, in either order."""
    project.add("first.yaml")
    project.add("second.yaml")
    second = cli("build", "second", "-j", "1")
    assert second.stdout.split() == [str(project.root / "output/en/second.pdf")]
    first = cli("build", "first", "-j", "1")
    assert first.exit_code == 0, first.output
    assert first.stdout.split() == [str(project.root / "output/en/first.pdf")]
    assert sorted(project.output_files()) == ["en/first.pdf", "en/second.pdf"]
    both = cli("build", "second", "first", "-j", "1")
    assert sorted(Path(p).name for p in both.stdout.split()) == ["first.pdf", "second.pdf"]


def test_a_builtin_copied_under_a_new_id_keeps_that_id(project: Project, cli) -> None:
    assert cli("build", "withdrawal-response", "-j", "1").exit_code == 0
    source = builtin_root() / "content/handouts/en/withdrawal-response.yaml"
    shutil.copy(source, project.handouts / "my-withdrawal.yaml")
    result = cli("build", "my-withdrawal", "-j", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == [str(project.root / "output/en/my-withdrawal.pdf")]
    assert (project.root / "output/en/my-withdrawal.pdf").is_file()


def test_a_renamed_file_is_built_under_its_new_name(project: Project, cli) -> None:
    project.add("sleep.yaml")
    assert cli("build", "sleep", "-j", "1").exit_code == 0
    (project.handouts / "sleep.yaml").rename(project.handouts / "rest.yaml")
    result = cli("build", "rest", "-j", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == [str(project.root / "output/en/rest.pdf")]


def test_checks_run_on_a_warm_cache(project: Project, cli) -> None:
    """What fails on a cold cache fails on a warm one: the cache skips layout only."""
    project.add("uno.yaml")
    assert cli("build").exit_code == 0
    # The same bytes under a name that is not an id...
    shutil.copy(project.handouts / "uno.yaml", project.handouts / "Bad_Name.yaml")
    bad_name = cli("build")
    assert bad_name.exit_code == 1
    assert "the file name `Bad_Name` is not a valid handout id" in bad_name.stderr
    (project.handouts / "Bad_Name.yaml").unlink()
    # ...and in a folder of another language than the one it says.
    spanish = project.root / "content/handouts/es"
    spanish.mkdir()
    (project.handouts / "uno.yaml").rename(spanish / "uno.yaml")
    moved = cli("build", "uno", "-j", "1")
    assert moved.exit_code == 1
    assert (
        "content/handouts/es/uno.yaml:4:11: language: is `en` but the file is in the `es` folder"
        in moved.stderr
    )
    assert "en/uno.pdf" in project.output_files()
    assert not (project.root / "output/es").exists()


def test_two_projects_sharing_content_keep_their_own_pages(
    tmp_path: Path, cli, monkeypatch
) -> None:
    for clinic in ("north", "south"):
        root = tmp_path / clinic
        (root / "content/handouts/en").mkdir(parents=True)
        (root / "content/handouts/en/breath.yaml").write_text(MINIMAL, encoding="utf-8")
        (root / "handouts.yaml").write_text(f"practice:\n  name: {clinic.title()} Clinic\n")
    for clinic in ("north", "south"):
        monkeypatch.chdir(tmp_path / clinic)
        assert cli("build", "breath", "-j", "1").exit_code == 0
    assert "North Clinic" in first_page(tmp_path / "north/output/en/breath.pdf")
    assert "South Clinic" in first_page(tmp_path / "south/output/en/breath.pdf")


# --- personal copies ------------------------------------------------------------


def test_a_personal_build_never_replaces_the_generic_file(
    project: Project, cli, laid_out: list[tuple[str, str]]
) -> None:
    project.add("breath.yaml")
    assert cli("build", "breath").exit_code == 0
    generic = project.root / "output/en/breath.pdf"
    before = generic.read_bytes()
    personal = cli("build", "breath", "--client-name", "Jordan Smith")
    assert personal.exit_code == 0, personal.output
    assert personal.stdout.split() == [str(project.root / "output/personal/en/breath.pdf")]
    assert generic.read_bytes() == before
    assert "Jordan Smith" in first_page(project.root / "output/personal/en/breath.pdf")
    # A generic build after it hands back the generic pages, from the cache.
    laid_out.clear()
    again = cli("build", "breath")
    assert again.stdout.split() == [str(generic)]
    assert laid_out == []
    assert generic.read_bytes() == before
    assert "Prepared for" not in first_page(generic)
    assert all(b"Jordan" not in p.read_bytes() for p in (project.root / CACHE_FOLDER).iterdir())


def test_personal_html_goes_apart_too(project: Project, cli) -> None:
    project.add("breath.yaml")
    result = cli("build", "breath", "--format", "html", "--client-name", "Jordan Smith")
    assert result.exit_code == 0, result.output
    assert sorted(project.output_files()) == ["personal/en/breath.html"]


def test_with_no_ids_every_personal_file_goes_apart(project: Project, cli) -> None:
    project.add("one.yaml")
    project.add("two.yaml")
    result = cli("build", "--client-name", "Sam Lee", "--format", "html")
    assert result.exit_code == 0, result.output
    files = sorted(project.output_files())
    assert "personal/en/one.html" in files and "personal/en/two.html" in files
    assert all(f.startswith("personal/") for f in files)


def test_personal_packets_never_replace_the_generic_packet(project: Project, cli) -> None:
    project.add("breath.yaml")
    packets = project.root / "content/packets"
    packets.mkdir()
    (packets / "mini.yaml").write_text(
        "title: Mini\naudience: client\nlanguage: en\nsections:\n"
        "  - title: One\n    handouts: [breath]\n",
        encoding="utf-8",
    )
    # A generic packet whose id looks like a participant's copy of `mini`.
    (packets / "mini-001.yaml").write_text((packets / "mini.yaml").read_text(), encoding="utf-8")
    assert cli("packet", "mini", "mini-001").exit_code == 0
    generic = project.output_files()
    assert sorted(generic) == ["en/packets/mini-001.pdf", "en/packets/mini.pdf"]
    people = project.root / "people.csv"
    people.write_text("name\nAlex Rivera\n", encoding="utf-8")
    copies = cli("packet", "mini", "--participants", str(people))
    assert copies.stdout.split() == [str(project.root / "output/personal/en/packets/mini-001.pdf")]
    named = cli("packet", "mini", "--client-name", "Sam Lee")
    assert named.stdout.split() == [str(project.root / "output/personal/en/packets/mini.pdf")]
    after = project.output_files()
    assert {k: after[k] for k in generic} == generic
    both = cli("packet", "mini", "--participants", str(people), "--client-name", "Sam Lee")
    assert both.exit_code == 2
    assert both.stderr.splitlines()[-1] == (
        "Error: --client-name and --participants both name who a copy is for; use one of them"
    )
