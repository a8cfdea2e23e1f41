"""Model stage: families of models told apart by one field, each type registering itself.

A block's `type` and a worksheet prompt's `kind` are such fields: a model
class whose field is a literal joins its family under that name (under each
name, for types of one shape that share a model), and the
models that hold the family validate it as a discriminated union of the
types registered at the time.
"""

from __future__ import annotations

import functools
import operator
import typing
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Discriminator, GetCoreSchemaHandler
from pydantic_core import CoreSchema

T = TypeVar("T", bound=BaseModel)

#: Models whose validation holds a family's union, in the order they were defined.
_FOLLOWERS: list[type[BaseModel]] = []


def follows_registry(model: type[T]) -> type[T]:
    """Mark a model that holds blocks or prompts: it is rebuilt when a type is added or removed."""
    _FOLLOWERS.append(model)
    return model


class Family(Generic[T]):
    """Models told apart by one field (a block's `type`, a prompt's `kind`), each registered."""

    def __init__(self, field: str) -> None:
        self.field = field
        self.members: dict[str, type[T]] = {}

    def add(self, model: type[T]) -> None:
        """Register a model under each literal value of its field; a shared base has none.

        Types of one shape share a model: a section and a subsection are one
        heading at two levels.
        """
        annotation = model.model_fields[self.field].annotation
        if typing.get_origin(annotation) is not Literal:
            return
        tags = typing.get_args(annotation)
        if any(not isinstance(tag, str) or tag in self.members for tag in tags):
            raise TypeError(
                f"{model.__qualname__}: `{self.field}` must be literals that no other "
                f"model has; taken: {', '.join(self.members)}"
            )
        self.members.update(dict.fromkeys(tags, model))
        self._rebuild()

    def models(self) -> tuple[type[T], ...]:
        """Every registered model once, in the order the types were declared."""
        return tuple(dict.fromkeys(self.members.values()))

    def remove(self, tag: str) -> None:
        """Unregister a type, as a test does with its throwaway block."""
        del self.members[tag]
        self._rebuild()

    def tags(self) -> tuple[str, ...]:
        """Every registered value of the field, in the order the types were declared."""
        return tuple(self.members)

    def _rebuild(self) -> None:
        for model in _FOLLOWERS:
            model.model_rebuild(force=True)

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        # A discriminated union of the types registered now: an error's location
        # names the branch by its tag, as in ("blocks", 2, "list", "items").
        union = functools.reduce(operator.or_, self.models())
        return handler.generate_schema(Annotated[union, Discriminator(self.field)])
