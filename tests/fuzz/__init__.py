"""Coverage-guided fuzzing (atheris) of every parser that reads outside input.

``python -m tests.fuzz`` (or ``make fuzz``) runs every target for a bounded time; see
docs/developer-guide.md, "Fuzzing", and docs/decisions/0018-fuzzing.md.
"""
