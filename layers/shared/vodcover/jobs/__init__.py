"""Jobs: use cases that drive the domain core with data access and media tools."""
