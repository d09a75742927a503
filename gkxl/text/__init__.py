"""Words for people: the message catalogue, label and number reading, strict JSON, errors."""
