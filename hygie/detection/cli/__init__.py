"""The detection module's commands (named in its manifest, ``hygie/detection/module.py``):
``hygie hunt`` and ``hygie rules`` (engine commands: no Django), ``hygie ingest`` and
``hygie ingest-worker`` (platform commands: they start Django themselves)."""
