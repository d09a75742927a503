"""The form specs (one JSON file per format version), shipped inside gkxl as the package gkxl.templates."""
