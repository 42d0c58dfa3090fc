"""mockserver/auth/authenticator"""
