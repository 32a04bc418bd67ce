"""Helper for formats whose text is rebuilt from parts (PDF pages, DOCX paragraphs, DICOM tags)."""

from __future__ import annotations

from hygie.privacy.engine.document import Segment
from hygie.privacy.engine.fields import PHIField
from hygie.privacy.engine.model import EntityType


class TextBuilder:
    """Joins parts with line breaks and records a segment per part."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._offset = 0
        self.segments: list[Segment] = []

    def add(
        self,
        text: str,
        path: str,
        hint: EntityType | None = None,
        context: str = "",
        column: str | None = None,
        declared: bool = False,
        mapped: PHIField | None = None,
    ) -> None:
        if not text:
            return
        end = self._offset + len(text)
        self.segments.append(
            Segment(self._offset, end, path, hint, context, column, declared, mapped)
        )
        self._parts.append(text)
        self._parts.append("\n")
        self._offset += len(text) + 1

    @property
    def text(self) -> str:
        return "".join(self._parts)
