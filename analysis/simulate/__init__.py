"""Simulated example inputs under data/example/, made by code with a fixed seed."""
