"""One parser per file format, each turning decoded content into a RawDocument."""
