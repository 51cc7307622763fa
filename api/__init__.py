"""Front doors to the engine: the command line (and, later, the HTTP service)."""
