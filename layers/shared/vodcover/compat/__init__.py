"""Other vendors' wire formats over vodcover's own use cases (see docs/alibaba.md)."""
