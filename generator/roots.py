"""Where a project is: its folder, its config file and its content roots.

Kept apart from the config's models so that a run can find its project
before anything heavy is imported (see `rerun`).
"""

from __future__ import annotations

import os
from pathlib import Path

CONFIG_NAME = "handouts.yaml"


def builtin_root() -> Path:
    """The folder holding the built-in content/ and templates/.

    An installed wheel carries them inside the package; a source checkout
    has them beside the package.
    """
    package = Path(__file__).resolve().parent
    shipped = package / "builtin"
    if (shipped / "templates").is_dir():
        return shipped
    return package.parent


def project_place(
    start: Path | None = None, config: Path | None = None
) -> tuple[Path, Path | None, bool]:
    """The project's folder, its config file (if any) and whether one was found.

    The nearest folder upwards with handouts.yaml or content/; with `config`,
    that file's folder. Outside any project: this folder, and the built-in library.
    """
    if config is not None:
        return config.resolve().parent, config, True
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        # Whatever is there: a pipe, a folder or a broken link named like the
        # config is reported as such, not passed over.
        if os.path.lexists(folder / CONFIG_NAME):
            return folder, folder / CONFIG_NAME, True
        if (folder / "content").is_dir():
            return folder, None, True
    return here, None, False


def roots_of(root: Path) -> tuple[Path, ...]:
    """Content and template roots, the project's own before the built-ins."""
    builtin = builtin_root()
    if root.resolve() == builtin.resolve():
        return (builtin,)
    return (root, builtin)
