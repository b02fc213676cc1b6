"""The people's side of fieldcast: the command line and the Qt desktop application."""
