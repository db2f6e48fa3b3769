"""The main window (layout, menus, status, routing: it names no page), opening files
and exporting what a page shows."""
