"""Packaging beyond what ``pyproject.toml`` can say: ship the top-level ``config/`` folder (the one
source of the default settings, topics, speakers and synonyms) inside the wheel as
``claims/defaults/``, so an installed claimbot runs without the repository beside it."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["bot*", "claims*"]), "claims.defaults"],
    package_dir={"claims.defaults": "config"},
)
