"""The application's dialogs: sign-in, overrides, import, supervisor actions, setup."""
