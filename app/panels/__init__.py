"""One panel per module; each runnable alone on the demo workspace (``python -m app.panels.X``)."""
