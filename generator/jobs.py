"""Layout jobs for rendered handouts, and output file names: what `build`, `packet`
and `serve` share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from generator.layout import Job
from generator.model import HandoutFile, PacketFile
from generator.options import RenderOptions
from generator.pdf import Layout
from generator.request import PacketEdition

if TYPE_CHECKING:
    from generator.render import RenderedHandout


def handout_jobs(rendered: Sequence[RenderedHandout], options: RenderOptions) -> list[Job]:
    """One job per handout; a one-page worksheet gets a layout that says so.

    A client's name is the job's private text: never repeated in a message.
    """
    private = "--client-name" if options.personal else None
    return [
        Job(
            r.html,
            r.base_url,
            r.handout.path,
            options.client_name,
            private,
            # How the pages break is looked at in every build (it costs little)
            # and kept with the layout: `check --pdf` then takes it from the cache.
            layout=Layout(
                forms=options.fillable,
                one_page=r.handout.one_page(large_print=options.large_print),
                quality=True,
            ),
        )
        for r in rendered
    ]


def output_name(item: HandoutFile, options: RenderOptions, extension: str) -> str:
    """The file name for a handout: `<id>.pdf`, with a suffix per variant."""
    name = item.id
    if options.edition == "clinician" and item.handout.audience == "client":
        name += "-clinician"
    return f"{name}{options.suffix()}.{extension}"


def packet_file_name(item: PacketFile, edition: PacketEdition, options: RenderOptions) -> str:
    """`<id>`, with `-trainer` and the print profile's suffix for those variants."""
    trainer = "-trainer" if edition == "trainer" else ""
    return f"{item.id}{trainer}{options.suffix()}"
