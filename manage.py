#!/usr/bin/env python
"""Django's manage.py, for Django users; ``khoso`` does the same and more."""

from khoso.cli import main

if __name__ == "__main__":
    main()
