"""Write the 300 news stories of the Lee corpus as articles, for quality runs at scale.

    python bench/lee_corpus.py OUT_DIR [--wheel GENSIM.whl]

The stories (Lee, Pincombe and Welsh, 2005) ship in gensim's wheel as test data. Without --wheel,
pip downloads the wheel (about 28 MB, no dependencies, nothing installed) into a temporary folder.
Story N becomes OUT_DIR/lee-bg-NNN.txt, the names that tests/fixtures/lee uses.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

MEMBER = "gensim/test/test_data/lee_background.cor"


def download_wheel(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                    "--quiet", "--dest", str(folder), "gensim"], check=True)
    return next(folder.glob("gensim-*.whl"))


def write_stories(wheel: Path, out: Path) -> int:
    with zipfile.ZipFile(wheel) as archive:
        lines = archive.read(MEMBER).decode("utf-8").splitlines()
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for number, line in enumerate(lines, 1):
        if line.strip():
            (out / f"lee-bg-{number:03d}.txt").write_text(line.strip() + "\n", encoding="utf-8")
            written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write the stories into")
    parser.add_argument("--wheel", type=Path, help="a gensim wheel already on disk")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        wheel = args.wheel or download_wheel(Path(scratch))
        count = write_stories(wheel, args.out)
    print(f"{count} stories written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
