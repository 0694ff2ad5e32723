"""omov's own input formats (settings.FORMAT_MODULE_PATH): ISO 8601 dates in every form."""
