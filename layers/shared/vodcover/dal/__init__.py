"""Data access: DynamoDB, S3 and EventBridge behind small interfaces, created lazily."""
