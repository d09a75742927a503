"""python -m gkxl.cli: the same as the gkxl command."""
from gkxl.cli import run

run()
