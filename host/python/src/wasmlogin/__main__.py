"""python -m wasmlogin: the same commands as the `wasmlogin` console script."""
import sys

from .cli import main

sys.exit(main())
