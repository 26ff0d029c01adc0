"""Tests of the wheel proxy (packages app) against a real package index on loopback."""
