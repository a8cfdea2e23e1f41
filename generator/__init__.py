"""Psychoeducation handouts: YAML content to accessible, client-ready PDFs."""

from typing import Any


def __getattr__(name: str) -> Any:
    # Looked up when asked for: reading the installed metadata costs every
    # process that imports the package (layout workers too) about 20 ms.
    if name != "__version__":
        raise AttributeError(f"module 'generator' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("handouts")
    except PackageNotFoundError:  # running from a source tree that was never installed
        found = "0.0.0"
    globals()["__version__"] = found
    return found
