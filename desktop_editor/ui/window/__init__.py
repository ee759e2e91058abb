"""The main window and its chrome: menus, status bar, recent files."""
