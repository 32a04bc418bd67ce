"""Helper for formats whose text is rebuilt from parts (PDF pages, DOCX paragraphs, DICOM tags)."""

from __future__ import annotations

from hygie.privacy.engine.document import Segment
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
    ) -> None:
        if not text:
            return
        self.segments.append(
            Segment(self._offset, self._offset + len(text), path, hint, context, column, declared)
        )
        self._parts.append(text)
        self._parts.append("\n")
        self._offset += len(text) + 1

    @property
    def text(self) -> str:
        return "".join(self._parts)
