"""Cross-cutting pieces of the REST API: Cognito authentication, permissions,
the one error shape, throttling, pagination and the /api/v1/ URL conf."""
