"""The core's values and Protocols: events, replies, ports, errors, messages, clock and model."""
