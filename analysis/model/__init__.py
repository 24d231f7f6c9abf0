"""The model: the scenario (yield and projection) and disclosure control, on frames and numbers only."""
