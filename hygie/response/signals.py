"""Signal receivers of the response module (imported by ResponseConfig.ready)."""
