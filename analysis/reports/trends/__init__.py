"""The `trends` notebook's computations and charts."""
