"""The ``bilum`` command line: run the services, migrate, seed the demonstration, handle dead letters."""
