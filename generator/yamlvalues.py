"""Content stage, YAML values: a scalar's value, or what to tell the author of one
that can't be read (a month 13, a tag that would make a program object)."""

from __future__ import annotations

from typing import Any

import yaml


def scalar_value(constructor: yaml.SafeLoader, node: yaml.Node) -> tuple[Any, str]:
    """A scalar's value, or what to say of it when it can't be read (a month 13, say)."""
    try:
        return constructor.construct_object(node, deep=True), ""
    except yaml.constructor.ConstructorError as exc:
        if str(exc.problem).startswith("could not determine a constructor"):
            return None, tag_message(node.tag)
        reason = str(exc.problem or exc.context)
    except yaml.MarkedYAMLError as exc:
        reason = str(exc.problem or exc.context)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
        reason = " ".join(str(exc).split())
    return None, f"this value can't be read ({reason}); check it"


#: The tags of a plain mapping and list: any other on one is refused, not ignored.
PLAIN_COLLECTIONS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


def tag_message(tag: str) -> str:
    """Why a tagged value is not read: `!!python/object:os.system`, say, or `!mine`."""
    standard = "tag:yaml.org,2002:"
    shown = "!!" + tag[len(standard) :] if tag.startswith(standard) else tag
    return (
        f"the YAML tag `{shown}` is not read here: this file holds plain text, numbers "
        "and lists, never program objects; remove the tag and write the value plainly"
    )
