"""``python -m coresdk``: the ``coresdk`` command line (:func:`coresdk.cli.main`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
