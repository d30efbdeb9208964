from . import integration_client_credentials
