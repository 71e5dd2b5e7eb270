"""``python -m dlref``: the same command line as the ``dlref`` script (and what ``torchrun -m dlref`` runs)."""

import sys

from dlref.lab.cli import main

if __name__ == "__main__":
    sys.exit(main())
