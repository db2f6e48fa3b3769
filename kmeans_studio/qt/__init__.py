"""The Qt user interface: main window, controller, panels and views."""
