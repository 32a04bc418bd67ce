"""Cache files authenticated with a secret key: what the command-line tools keep between runs.

Compiled rule packs (``hygie hunt``) and compiled pattern databases (``hygie scan``) take
seconds to build and are loaded with pickle or by native code, which must never read a file
someone else wrote. Each file therefore ends with an HMAC-SHA256 of its name and content, under
a key of 32 random bytes kept apart from the cache (``keys/<name>.key``, mode 0600, folder
0700). A file whose MAC does not check out (tampered, truncated, written under another key) or
whose format line is not the expected one is deleted and reported, and the caller builds again.

Where: ``$HYGIE_HOME/cache/<kind>`` (key in ``$HYGIE_HOME/keys``) when HYGIE_HOME is set, else
``$XDG_CACHE_HOME/hygie/<kind>`` (default ``~/.cache``; key in ``…/hygie/keys``). Files are
written whole under a temporary name and renamed, and only the ``keep`` most recently used ones
of a folder stay. No Django here: the tools that use it run without a database.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

MAC_BYTES = 32


@dataclass(frozen=True)
class CacheLocation:
    """Where cache files go and where the key that signs them is kept."""

    folder: Path
    key_file: Path

    @classmethod
    def default(cls, kind: str, key_name: str) -> CacheLocation:
        home = os.environ.get("HYGIE_HOME")
        if home:
            root = Path(home).resolve()
            return cls(root / "cache" / kind, root / "keys" / key_name)
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        root = Path(base).resolve() / "hygie"
        return cls(root / kind, root / "keys" / key_name)


class SignedCache:
    """Named payloads in a cache folder, each checked against its MAC before it is returned."""

    def __init__(self, location: CacheLocation, *, format_line: bytes, suffix: str, keep: int):
        self.location = location
        self.format_line = format_line
        self.suffix = suffix
        self.keep = keep

    def path_for(self, name: str) -> Path:
        return self.location.folder / f"{name}{self.suffix}"

    def load(self, name: str) -> tuple[bytes | None, str | None]:
        """The payload saved under ``name`` (without its format line), or None and why a file
        that was there was refused (None when there was no file)."""
        path = self.path_for(name)
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            return None, None
        except OSError as error:
            return None, f"unreadable ({error.strerror})"
        key = self._key(create=False)
        if key is None:
            return None, "no cache key"
        payload, mac = blob[:-MAC_BYTES], blob[-MAC_BYTES:]
        expected = hmac.new(key, name.encode() + b"\0" + payload, hashlib.sha256).digest()
        if len(blob) <= len(self.format_line) + MAC_BYTES or not hmac.compare_digest(mac, expected):
            _remove(path)
            return None, "authentication failed (tampered, truncated or another key)"
        if not payload.startswith(self.format_line):
            _remove(path)
            return None, "unknown format"
        os.utime(path)  # most recently used: kept when old files are pruned
        return payload[len(self.format_line) :], None

    def save(self, name: str, content: bytes) -> Path:
        """Write ``content`` under ``name``, whole or not at all, then prune old files."""
        payload = self.format_line + content
        key = self._key(create=True)
        assert key is not None
        mac = hmac.new(key, name.encode() + b"\0" + payload, hashlib.sha256).digest()
        folder = self.location.folder
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.path_for(name)
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".cache-")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(payload)
                handle.write(mac)
            os.replace(temporary, path)
        except BaseException:
            _remove(Path(temporary))
            raise
        self._prune(keep=path)
        return path

    def _prune(self, keep: Path) -> None:
        files = sorted(
            (p for p in self.location.folder.glob(f"*{self.suffix}") if p != keep),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in files[self.keep - 1 :]:
            _remove(old)

    def _key(self, *, create: bool) -> bytes | None:
        path = self.location.key_file
        try:
            key = path.read_bytes()
        except FileNotFoundError:
            if not create:
                return None
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            key = secrets.token_bytes(32)
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it first
                return path.read_bytes()
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(key)
            return key
        return key if len(key) >= 32 else None


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
