"""The `historical_vs_campaign` notebook's computations and charts."""
