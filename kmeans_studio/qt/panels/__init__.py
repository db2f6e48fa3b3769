"""One page per data source in the Data dock."""
