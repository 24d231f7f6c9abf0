"""The `campaign_comparison` notebook's inputs, computations, text contexts and charts."""
