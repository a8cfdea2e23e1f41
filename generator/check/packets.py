"""Check stage, packets' PDFs: lay each packet out as `handouts packet` does, and
inspect the joined PDF and how each of its parts' pages break."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from generator.assemble import Assembler
from generator.check.pdf import BODY_MIN, LARGE_PRINT_MIN, inspect_pdf, page_findings
from generator.check.rules import RULES
from generator.config import Project
from generator.content import load_packets
from generator.errors import HandoutError, Problem, ProblemsError, display_path
from generator.model import PacketFile
from generator.options import RenderOptions
from generator.pdf import LayoutStopped
from generator.progress import stage
from generator.render import Renderer
from generator.request import PacketEdition, PacketRequest
from generator.yamlfile import read_yaml


def check_packet_pdfs(
    project: Project, ids: Sequence[str], options: RenderOptions
) -> list[Problem]:
    """Build each packet in memory (the trainer's edition for `--edition clinician`)
    and check it; nothing is written."""
    options = options.resolved(project.config)
    edition: PacketEdition = "trainer" if options.edition == "clinician" else "participant"
    findings: list[Problem] = []
    for packet_id in ids:
        try:
            findings += _check_packet(project, packet_id, options, edition)
        except ProblemsError as exc:
            findings += [
                RULES["schema"].finding(p.path, p.message, where=(p.line, p.column))
                for p in exc.problems
            ]
        except (HandoutError, LayoutStopped) as exc:
            message = exc.reason if isinstance(exc, LayoutStopped) else exc.format_message()
            findings.append(RULES["pdf.layout"].finding(packet_id, message))
    return findings


def _check_packet(
    project: Project, packet_id: str, options: RenderOptions, edition: PacketEdition
) -> list[Problem]:
    (item,) = load_packets(project.roots, [packet_id])
    shown = display_path(item.path)
    request = PacketRequest(ids=(packet_id,), options=options, edition=edition)
    with stage(f"{packet_id}: lay out the packet for the PDF checks"):
        assembler = Assembler(project, item, options, request, quality=True)
        (data,) = assembler.copies([None])
    findings = inspect_pdf(
        shown,
        data,
        _tallest_footer(project, item, options, edition),
        LARGE_PRINT_MIN if options.large_print else BODY_MIN,
    )
    for source, start, notes in assembler.part_notes:
        # A part's pages are numbered as the packet numbers them.
        moved = [replace(n, page=n.page + start - 1) for n in notes]
        # Said of the packet's page: the handout's own file has pages of its own.
        findings += page_findings(read_yaml(source), moved, f"the packet `{packet_id}`")
    return findings


def _tallest_footer(
    project: Project, item: PacketFile, options: RenderOptions, edition: PacketEdition
) -> float:
    """The tallest footer of the packet's parts (pt): text below it is page furniture."""
    renderer = Renderer(project)
    # Both editions' handouts are the client's (see `Assembler.start_body`).
    handout_options = replace(options, edition="client")
    heights = [
        renderer.packet_context(item, options, trainer=edition == "trainer")["page_footer"].height
    ]
    for _, handouts in item.sections:
        for handout in handouts:
            context = renderer.handout_context(handout, handout_options)
            heights.append(context["page_footer"].height)
    return max(heights)
