#!/usr/bin/env python3
"""Regenerates the CJK subsets the PNG charts embed (assets/fonts/NotoSansCJKsc-*-subset.otf).

They hold every hanzi of GB2312 (levels 1 and 2: the 6,763 characters of simplified Chinese in
everyday use, so that a user's own district names draw without a system font), CJK punctuation
and full-width forms, and the Chinese characters of every scenario under scenarios/ and of
chart_words.txt, cut from Noto Sans CJK SC (SIL Open Font License 1.1, see OFL.txt). Latin text
is drawn with DejaVu Sans; a character in neither font makes a label fall back to its romanised
name.

    apt-get install -y fonts-noto-cjk && pip install fonttools
    python3 assets/fonts/subset.py        # from the repository root
"""

import pathlib

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = pathlib.Path(__file__).resolve().parents[2]
HERE = ROOT / "assets" / "fonts"
SOURCES = {
    "Regular": "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "Bold": "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
}
# Index of "Noto Sans CJK SC" in Debian's collections (JP, KR, SC, TC, HK, …).
SC = 2


def wanted(c: str) -> bool:
    """CJK ideographs, CJK punctuation and full-width forms: what DejaVu Sans lacks."""
    o = ord(c)
    return 0x3000 <= o <= 0x303F or 0x3400 <= o <= 0x9FFF or 0xFF00 <= o <= 0xFFEF


def gb2312() -> str:
    """The hanzi of GB2312: rows 0xB0-0xF7, columns 0xA1-0xFE, less the five empty cells of 0xD7."""
    cells = (bytes([row, col]) for row in range(0xB0, 0xF8) for col in range(0xA1, 0xFF))
    return "".join(c.decode("gb2312") for c in cells if not (c[0] == 0xD7 and c[1] > 0xF9))


def characters() -> str:
    ranges = [chr(o) for r in ((0x3000, 0x303F), (0xFF00, 0xFFEF)) for o in range(r[0], r[1] + 1)]
    texts = [(HERE / "chart_words.txt").read_text(encoding="utf-8"), gb2312(), "".join(ranges)]
    for path in sorted((ROOT / "scenarios").rglob("*")):
        if path.suffix in (".toml", ".csv", ".geojson"):
            texts.append(path.read_text(encoding="utf-8"))
    return "".join(sorted({c for t in texts for c in t if wanted(c)}))


def main() -> None:
    chars = characters()
    for weight, source in SOURCES.items():
        font = TTCollection(source).fonts[SC]
        options = subset.Options()
        options.layout_features = []
        options.hinting = False
        options.name_languages = ["*"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=chars)
        subsetter.subset(font)
        out = HERE / f"NotoSansCJKsc-{weight}-subset.otf"
        font.save(out)
        print(f"{out.relative_to(ROOT)}: {len(chars)} characters, {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
