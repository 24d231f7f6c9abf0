"""The `campaign_progress` notebook's computations and charts."""
