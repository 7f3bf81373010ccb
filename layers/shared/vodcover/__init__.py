"""vodcover: every uploaded video gets a cover, and people can change it later."""

__version__ = "0.1.0"
