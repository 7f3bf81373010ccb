"""Use cases behind the API routes: each drives the domain rules with data access."""
