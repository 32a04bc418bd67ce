"""PDF rendering of the documents every module generates (notification drafts, incident and
assessment reports, registers, DPIAs…) with WeasyPrint: the platform's one renderer.

Templates are ordinary Django templates; WeasyPrint gets no base URL and a fetcher that refuses
every URL, so a document can never make the server fetch anything (no SSRF through a field a user
typed): styles are inlined by the template.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


class _NoFetch:
    def __call__(self, url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        raise ValueError("external resources are not loaded in generated documents")


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render a template to PDF bytes (imported lazily: WeasyPrint is slow to import)."""
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=None, url_fetcher=_NoFetch()).write_pdf()
