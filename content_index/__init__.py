"""The content library: parsing documents into modules and structure-aware chunks."""
