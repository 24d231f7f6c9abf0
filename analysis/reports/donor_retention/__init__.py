"""The `donor_retention` notebook's computations and charts."""
