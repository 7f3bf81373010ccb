"""HTTP-shaped pieces of the API: request models, answer views, one error mapping."""
