"""Entry point of the frozen till (PyInstaller): the same CLI as the `loyalty-pos` script.

`freeze_support()` must run first: the demo generator builds member history in a second
process started with the "spawn" method, and in a frozen build that child is this executable
started again with special arguments, which freeze_support recognises and runs.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from loyalty_pos.cli import main

    sys.exit(main())
