"""Built-in prerequisite plugins (declared as ``envyard.prerequisites`` entry points)."""
