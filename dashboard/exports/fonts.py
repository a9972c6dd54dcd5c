"""The CJK font every export embeds (PDF), renders with (PNG charts) or names (PPTX).

One place decides which font file is used, so the PDF, the PNG charts and the slides agree.
Resolution order: the ``DANGONG_CJK_FONT`` setting (``path`` or ``path#index`` for a collection),
then the usual system locations (Debian's ``fonts-noto-cjk`` first). No font found is a clear
error (:class:`FontMissing`), never a PDF of empty boxes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from models.settings import get_settings

#: (path, index in a collection or None, family name as the font declares it)
CANDIDATES: tuple[tuple[str, int | None, str], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2, "Noto Sans CJK SC"),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2, "Noto Sans CJK SC"),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2, "Noto Sans CJK SC"),
    ("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf", None, "Noto Sans CJK SC"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0, "WenQuanYi Zen Hei"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0, "WenQuanYi Micro Hei"),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", None, "Droid Sans Fallback"),
    ("C:/Windows/Fonts/msyh.ttc", 0, "Microsoft YaHei"),
    ("/System/Library/Fonts/PingFang.ttc", 0, "PingFang SC"),
)
#: the name PowerPoint and WPS resolve for East Asian text on a reader's machine
EAST_ASIAN_TYPEFACE = "Microsoft YaHei"


class FontMissing(RuntimeError):
    """No CJK font: the message says what to install or configure."""


@dataclass(frozen=True)
class CjkFont:
    path: Path
    index: int  # font number inside a .ttc collection (0 for a single font)
    family: str

    @property
    def directory(self) -> Path:
        return self.path.parent


def _family_of(path: Path, index: int) -> str:
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=index, lazy=True) as font:
        return font["name"].getBestFamilyName() or path.stem


@lru_cache(maxsize=4)
def _resolve(setting: str | None) -> CjkFont:
    if setting:
        raw, _, idx = setting.partition("#")
        path = Path(raw).expanduser()
        if not path.is_file():
            raise FontMissing(f"DANGONG_CJK_FONT 指向的字体文件不存在：{path} / the CJK font file does not exist")
        try:
            index = int(idx) if idx else 0
            return CjkFont(path, index, _family_of(path, index))
        except Exception as exc:  # noqa: BLE001 - any unreadable font is the same user error
            raise FontMissing(f"无法读取字体 {path}（{exc}）/ cannot read the CJK font") from None
    for raw, index, family in CANDIDATES:
        path = Path(raw)
        if path.is_file():
            return CjkFont(path, index or 0, family)
    raise FontMissing(
        "未找到中文字体，无法生成 PDF/PNG。请安装 fonts-noto-cjk（Debian/Ubuntu：apt-get install fonts-noto-cjk），"
        "或用 DANGONG_CJK_FONT 指定字体文件。/ No CJK font found: install fonts-noto-cjk or set DANGONG_CJK_FONT."
    )


def cjk_font() -> CjkFont:
    """The CJK font to use (cached per setting)."""
    return _resolve(get_settings().cjk_font)
