"""`python scripts/i18n_tools.py fill-english PO`: English msgids are the English texts.

Run by `make messages` after `pybabel update`, so the English catalog is complete and
the Greek one shows exactly what still needs translating.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def fill_english(path: Path) -> int:
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    filled = 0
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not message.id or any(strings):
            continue
        message.string = message.id
        filled += 1
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False)
    return filled


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] != "fill-english":
        print(__doc__, file=sys.stderr)
        return 2
    print(f"{fill_english(Path(argv[2]))} English texts filled in")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
