"""SCIM 2.0 client over httpx (RFC 7643/7644), shaped by how Bird and real identity providers behave. No Qt."""
