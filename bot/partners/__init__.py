"""Partner status tracking: parsing, resolving, the service rules, builders, import and export."""
