"""mockserver/state"""
