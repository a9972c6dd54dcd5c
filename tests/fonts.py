"""Whether this machine has a CJK font, for the tests of the exports (PDF, PNG, PPTX).

Without one the exports cannot run: such tests are skipped on a developer's machine but fail in
CI, which installs ``fonts-noto-cjk`` (``.ci/run`` sets ``CI``)."""

from __future__ import annotations

import os

import pytest

from dashboard.exports import fonts

try:
    fonts.cjk_font()
    HAS_FONT = True
except fonts.FontMissing:  # pragma: no cover - CI installs fonts-noto-cjk
    HAS_FONT = False

needs_font = pytest.mark.skipif(not HAS_FONT and not os.environ.get("CI"), reason="no CJK font (CI installs one)")
