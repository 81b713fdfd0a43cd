#!/usr/bin/env python3
"""Regenerates the CJK subsets the PNG charts embed (assets/fonts/NotoSansCJKsc-*-subset.otf).

They hold the Chinese characters of every scenario under scenarios/ (district names and the
rest of the TOML, CSV and GeoJSON files) and of chart_words.txt, cut from Noto Sans CJK SC (SIL Open
Font License 1.1, see OFL.txt). Latin text is drawn with DejaVu Sans; a character in neither
font makes a label fall back to its romanised name.

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


def characters() -> str:
    texts = [(HERE / "chart_words.txt").read_text(encoding="utf-8")]
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
