"""``python -m course_utils.conv2d``: starts the command-line script of :mod:`course_utils.conv2d_command`.

The script's name is the one the README and the PyTorch tutorial among the sources give it; the
code lives in ``conv2d_command``, so the package's operations keep names that say what they do.
"""
import sys

from .conv2d_command import main

if __name__ == "__main__":
    sys.exit(main())
