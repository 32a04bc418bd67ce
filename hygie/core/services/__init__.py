"""Core use cases shared by views, API, CLI and tasks. Transactions live here."""
