"""Documents: object storage, file type checks and (later) document records and versions."""
