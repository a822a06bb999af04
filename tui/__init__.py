"""mnist-explorer's terminal app (Textual). Draws what the engine computes; never trains a model itself.

Textual paces screen updates at ``TEXTUAL_FPS`` frames a second (60 unless set): a key that lands just after a
frame waits for the next slot, and after a frame that overran its slot, for up to two (33 ms at 60). This app
defaults to 240, which keeps key → repaint quick while jobs report progress (``benchmarks/bench_latency.py``);
animations keep Textual's own 60 frames a second. Set before Textual is imported, so it is set here.
"""

import os

FRAME_RATE = 240

os.environ.setdefault("TEXTUAL_FPS", str(FRAME_RATE))
