"""Characters no one sees: Unicode's Default_Ignorable_Code_Point (zero-width spaces and joiners, the soft
hyphen, bidi controls, variation selectors, fillers, tags). Names and labels are compared without them, and a
name that differs from another only by them is said (a visible 表三 beside a hidden one is a trick, not a
typo). A pure module."""
from __future__ import annotations

# DerivedCoreProperties.txt, Default_Ignorable_Code_Point (Unicode 15.1)
_RANGES = ((0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
           (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
           (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
           (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF))
IGNORABLE = dict.fromkeys(c for lo, hi in _RANGES for c in range(lo, hi + 1))


def visible(text: str) -> str:
    """`text` without the characters no one sees."""
    return text.translate(IGNORABLE)


def has_invisible(text: str) -> bool:
    return len(text.translate(IGNORABLE)) != len(text)
