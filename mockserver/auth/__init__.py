"""Who is calling: the one `Authenticator` (the profile says which headers mean what), issued
tokens, and the failed-login monitor."""
