"""Command-line interface: thin click commands, one module per noun, calling domain functions."""
