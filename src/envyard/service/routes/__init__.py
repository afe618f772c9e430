"""The REST API's routers, mounted under ``/api/v1`` by :func:`envyard.service.app.create_app`.

``versioned`` (``/environments`` and ``/prerequisites``: one router built per kind), ``locks``
(an environment version's lock, diff and package search, added before ``/{ref}``),
``responses`` (one version as an HTTP response: JSON, ETag, lifecycle headers; shared with the
read fast path), ``runs`` (run records and their logs, ``?follow`` streams), ``tokens`` (token
management, ``admin`` only).
"""
