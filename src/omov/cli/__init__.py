"""The `omov` command: thin wrappers that parse arguments, call the core and print results."""
