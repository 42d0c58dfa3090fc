"""mockserver/admin/app"""
