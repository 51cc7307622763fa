"""The web workbench: server-rendered pages on the same FastAPI app and the same services."""
