"""Modal dialogs: settings."""
