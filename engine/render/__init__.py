"""Rich renderables shared by the CLI and the TUI: digits as half-block pixels, class-balance bars."""

from engine.render.bars import ClassBalance
from engine.render.digits import DigitGrid, DigitImage, DigitStats, digit_stats, fit_side

__all__ = ["ClassBalance", "DigitGrid", "DigitImage", "DigitStats", "digit_stats", "fit_side"]
