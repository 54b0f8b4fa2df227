"""Qt-aware orchestration without widgets: background tasks, the directory loader and the open connection."""
