"""python -m gkxl: the same as the gkxl command."""
from gkxl.cli import run

run()
