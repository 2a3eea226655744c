"""The GUI (PySide6). Started by ``warroom.main`` through ``ui.launch.launch_gui``."""
