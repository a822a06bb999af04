"""Widgets shared by several tabs (one widget per module)."""
