"""insi"""
