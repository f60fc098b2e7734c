"""learnbot: the platform-neutral chat core, its adapters, storage and command line."""

__version__ = "0.1.0"
