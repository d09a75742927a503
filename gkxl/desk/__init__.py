"""The collecting office's desk: `gkxl serve`, a local web page over a collection that remembers the year."""
