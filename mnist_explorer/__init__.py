"""The mnist-explorer program: the engine's command line, the app, and the commands that need the app.

The one package that may import both ``engine.cli`` and ``tui``: the engine never imports the app, and the app
never imports the engine's command line.
"""
