"""Front doors to the engine, one folder each: the command line (`api/cli/`), the HTTP API
(`api/http/`) and the web workbench (`api/web/`). They call the same engine and store."""
