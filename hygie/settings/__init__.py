"""Django settings: ``base`` (shared), ``production`` (``hygie serve``), ``test``."""
