"""Many files at once: merging returns into a summary, exporting their data, reading them on every core."""
