# Re-exports only: see the flat `netrt` stub for the types.
