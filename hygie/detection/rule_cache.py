"""``hygie hunt``'s cache of compiled rule packs: seconds of YAML, pySigma and hyperscan saved.

A cache file holds one compiled engine (its rules translated, its problems and notes) and the
hyperscan databases its buckets compiled, serialized with pickle. Pickle runs code when it
loads, so a file is only unpickled after its HMAC-SHA256 checked out: the key is 32 random
bytes in ``keys/rule-cache.key`` (mode 0600, folder 0700) of the data folder, which the cache
folder never holds. A file that fails the check (tampered, truncated, written by another key)
is deleted and the pack compiled again.

A cache file is named after a digest of everything that decides what compiling gives: every
rule file's name and content, Hygie's version, the engine's own source files, the Python,
pySigma and hyperscan versions. Any rule file changed, added or removed, or any of those
versions changed, gives another name: a stale file is never read, and the oldest files past
``KEEP_FILES`` are deleted.

Where: ``$HYGIE_HOME/cache/detection`` (key in ``$HYGIE_HOME/keys``) when HYGIE_HOME is set,
else ``$XDG_CACHE_HOME/hygie/detection`` (default ``~/.cache``; key in ``…/hygie/keys``).
No Django here: ``hygie hunt`` runs without a database.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.metadata
import pickle  # noqa: S403 - only ever loads files whose HMAC (secret key) checked out
import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import hygie
from hygie.detection.engine import DetectionEngine, RuleSource, prefilter
from hygie.lib.memory import collector_paused
from hygie.lib.signed_cache import CacheLocation, SignedCache

FORMAT = b"hygie-rule-cache-1\n"
KEY_FILE = "rule-cache.key"
KEEP_FILES = 8
_ENGINE_SOURCES = Path(prefilter.__file__).resolve().parent


def default_location() -> CacheLocation:
    """``$HYGIE_HOME/cache/detection``, or the user's cache folder (``hygie.lib.signed_cache``)."""
    return CacheLocation.default("detection", KEY_FILE)


@dataclass(frozen=True)
class CachedEngine:
    """What a cache lookup gave: the engine, and whether it came from the cache."""

    engine: DetectionEngine
    hit: bool
    path: Path
    # Set when a cache file was there but refused (why), so the caller can say so.
    refused: str | None = None
    # The log sources whose buckets the hunt that wrote the cache built (``engine.prepare``).
    routes: tuple[Any, ...] = ()


def pack_digest(sources: Iterable[RuleSource], *, version: str | None = None) -> str:
    """The digest naming a pack's cache file (see the module's docstring for what it covers)."""
    digest = hashlib.sha256(FORMAT)
    for part in _versions(version):
        digest.update(part.encode() + b"\0")
    for source in sorted(sources, key=lambda s: s.name):
        text = source.text.encode("utf-8") if isinstance(source.text, str) else source.text
        name = source.name.encode("utf-8", "surrogateescape")
        digest.update(b"%d:%s\0%d:" % (len(name), name, len(text)))
        digest.update(hashlib.sha256(text).digest())
    return digest.hexdigest()


def _versions(version: str | None) -> list[str]:
    parts = [
        version if version is not None else hygie.__version__,
        sys.version,
        _installed("pysigma"),
        _installed("hyperscan"),
    ]
    for path in sorted(_ENGINE_SOURCES.rglob("*")):
        if path.suffix in {".py", ".yml"} and path.is_file():
            parts.append(hashlib.sha256(path.read_bytes()).hexdigest())
    return parts


def _installed(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "-"


class RuleCache:
    """Load and save compiled engines in a cache folder, authenticated with a secret key."""

    def __init__(self, location: CacheLocation | None = None) -> None:
        self.location = location or default_location()
        self._files = SignedCache(
            self.location, format_line=FORMAT, suffix=".pack", keep=KEEP_FILES
        )

    def path_for(self, digest: str) -> Path:
        return self._files.path_for(digest)

    def load(self, digest: str) -> tuple[DetectionEngine | None, tuple[Any, ...], str | None]:
        """The cached engine for ``digest`` (its hyperscan databases loaded into the
        prefilter) and the log sources built last time, or None and why a file that was there
        was refused."""
        payload, refused = self._files.load(digest)
        if payload is None:
            return None, (), refused
        # Millions of small objects: the cyclic collector would walk them again and again.
        with collector_paused():
            content = pickle.loads(payload)  # noqa: S301 - authenticated by SignedCache
        engine = content["engine"]
        prefilter.COMPILED_DATABASES.update(content["databases"])
        return engine, tuple(content["routes"]), None

    def save(self, digest: str, engine: DetectionEngine, routes: Iterable[Any] = ()) -> Path:
        """Write ``engine`` under ``digest``: without its built buckets, with the hyperscan
        databases compiled so far and the log sources (``routes``, default: those ``engine``
        built) whose buckets a later hunt may build up front."""
        routes = list(routes) or engine.prepared_routes()
        content = {
            "engine": _slim(engine),
            "databases": dict(prefilter.COMPILED_DATABASES),
            "routes": routes,
        }
        return self._files.save(digest, pickle.dumps(content, protocol=pickle.HIGHEST_PROTOCOL))


def _slim(engine: DetectionEngine) -> DetectionEngine:
    """A copy of ``engine`` as it is cached: no buckets (closures do not pickle; their hyperscan
    databases are cached apart), and of the pySigma rules only those correlations refer to
    (the sessions need them; everything else was already compiled into expressions)."""
    pack = engine.pack
    referenced = {
        id(reference.rule)
        for correlation in pack.correlations
        for reference in correlation.sigma.rules or ()
    }
    slim = copy.copy(engine)
    slim.pack = replace(pack, rules=tuple(r for r in pack.rules if id(r.sigma) in referenced))
    slim.forget_buckets()
    return slim


def cached_engine(
    sources: list[RuleSource],
    build: Any,
    *,
    use_cache: bool = True,
    cache: RuleCache | None = None,
) -> CachedEngine:
    """The engine of ``sources``: from the cache when it holds it, else ``build(sources)``.

    Nothing is written here: call ``RuleCache.save`` after the hunt, once its buckets (and
    their hyperscan databases) are compiled, so that the next hunt skips those too.
    """
    cache = cache or RuleCache()
    digest = pack_digest(sources)
    path = cache.path_for(digest)
    refused = None
    if use_cache:
        engine, routes, refused = cache.load(digest)
        if engine is not None:
            return CachedEngine(engine, True, path, routes=routes)
    return CachedEngine(build(sources), False, path, refused)
