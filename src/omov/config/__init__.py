"""Django configuration: settings read from the environment in one place."""
