"""Execution backends: ``submit()`` a rendered job, get a handle to follow it.

:mod:`.interface` holds the Protocols; built-in backends (``local``, ``container``, ``ray``,
``kubernetes``) are entry points of the ``envyard.backends`` group like third-party ones.
"""
