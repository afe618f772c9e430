"""Job prerequisites: plugins turn each one into shell fragments per lifecycle event, and the
renderer orders them into one bootstrap script per task role.

Modules: :mod:`.template` (the strict ``<% %>`` language), :mod:`.shellsub` (quoting values
into shell text), :mod:`.interface` (the plugin Protocol and fragments), :mod:`.graph`
(``require`` order), :mod:`.kernel` (kernel activation), :mod:`.render` (the bootstrap).
Built-in plugins live in :mod:`.plugins` and are found through entry points like any other.
"""
