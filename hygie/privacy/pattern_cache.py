"""``hygie scan``'s cache of compiled Hyperscan databases: the pattern compile (≈1.6 s of CPU,
a seventh of a scan of 8 MB of dense notes) is paid once per machine, not once per run.

The databases are the engine's own serialized ones (``matcher.compiled_databases``), keyed by
their exact expressions, ids and flags: a changed pattern or option compiles anew and is added.
A cache file is named after what decides whether a serialized database loads and scans right
(Hygie, Python and Hyperscan versions, the CPU's architecture and instruction-set flags), and is
authenticated before it is read (``hygie.lib.signed_cache``), since Hyperscan's loader is native
code that must never read a file someone else wrote. Nothing here may fail a scan: a cache that
cannot be read or written only costs the compile.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import pickle  # noqa: S403 - only ever loads files whose HMAC (secret key) checked out
import platform
import sys
from pathlib import Path

import hygie
from hygie.lib.signed_cache import CacheLocation, SignedCache
from hygie.privacy.engine import matcher

FORMAT = b"hygie-pattern-cache-1\n"
KEY_FILE = "pattern-cache.key"
KEEP_FILES = 4


class PatternCache:
    """Load the databases of earlier runs before a detector is built; save what was added."""

    def __init__(self, location: CacheLocation | None = None) -> None:
        location = location or CacheLocation.default("privacy", KEY_FILE)
        self._files = SignedCache(location, format_line=FORMAT, suffix=".hs", keep=KEEP_FILES)
        self._name = _name()
        self._loaded: set[matcher.DatabaseKey] = set()

    def load(self) -> str | None:
        """Give the engine the cached databases; why a cache file was refused, if one was."""
        try:
            payload, refused = self._files.load(self._name)
        except OSError as error:
            return f"unreadable ({error.strerror})"
        if payload is None:
            return refused
        databases = pickle.loads(payload)  # noqa: S301 - authenticated by SignedCache
        matcher.add_compiled_databases(databases)
        self._loaded = set(databases)
        return None

    def save(self) -> Path | None:
        """Write the databases when this run compiled any the cache did not hold."""
        databases = matcher.compiled_databases()
        if not databases or set(databases) <= self._loaded:
            return None
        content = pickle.dumps(databases, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            path = self._files.save(self._name, content)
        except OSError:  # a read-only home: the next scan compiles again, nothing worse
            return None
        self._loaded = set(databases)
        return path

    @property
    def path(self) -> Path:
        return self._files.path_for(self._name)


def _name() -> str:
    digest = hashlib.sha256(FORMAT)
    for part in (
        hygie.__version__,
        sys.version,
        _installed("hyperscan"),
        platform.machine(),
        _cpu_flags(),
    ):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()[:32]


def _installed(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "-"


def _cpu_flags() -> str:
    """The instruction sets Hyperscan may have compiled for (Linux; elsewhere the architecture
    alone names the file, and a database the CPU refuses is compiled again)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("flags"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""
