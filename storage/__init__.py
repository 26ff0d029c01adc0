"""Notebook storage: saving notebooks and their versions, and the files they use.

An empty app for now; its models, services and selectors arrive with the storage work.
"""
