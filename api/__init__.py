"""Front doors to the engine: the command line (`sandbox`) and the HTTP service (api/service.py)."""
