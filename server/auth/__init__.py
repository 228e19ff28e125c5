"""Sign-in: passwords, access and refresh tokens, API tokens, throttling, the request principal."""
