"""The domain core: the rules of covers and statuses, with no AWS, HTTP or Lambda in it."""
