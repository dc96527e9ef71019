"""The demo ward: a master, templates and an inbox of returned files, for trying the tool."""
