"""birdadmin: desktop administration of who-has-which-role in Bird CRM organizations over SCIM 2.0."""

__version__ = "0.1.0"
