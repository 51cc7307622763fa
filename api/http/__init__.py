"""The HTTP API: FastAPI routes under /v1, roles by API key, one error shape, structured logs."""
