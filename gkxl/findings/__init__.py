"""What gkxl says about a return: the catalogue of finding types, the finding, the report of an action."""
