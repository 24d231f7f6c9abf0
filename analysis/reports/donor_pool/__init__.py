"""The `donor_pool` notebook's inputs, computations, text contexts and charts."""
