"""color"""
