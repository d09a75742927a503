"""Published reports: text, HTML, Word and PDF read into the model; reports rendered back."""
