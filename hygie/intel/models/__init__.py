"""The intel module's models (one sub-module per area; see AUDITED_MODELS)."""

AUDITED_MODELS: list[type] = []
