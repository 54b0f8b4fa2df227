"""HTTP plumbing shared by the SCIM and Bird Accounts clients: URL rules, errors, redaction, retries."""
