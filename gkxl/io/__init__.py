"""Files in and out: vetting inputs, reading and writing workbooks, annotated copies, atomic outputs."""
