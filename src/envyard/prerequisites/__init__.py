"""Job prerequisites: plugins turn each one into shell fragments per lifecycle event, and the
renderer orders them into one bootstrap script per task role.

Modules: :mod:`envyard.spec.template` (the strict ``<% %>`` language), :mod:`.shellsub`
(the file's values inserted as written, outside values as quoted references to environment
variables), :mod:`.shellctx` (where a reference sits in shell text: quoting, reparsing,
arithmetic), :mod:`.interface` (the plugin Protocol and fragments), :mod:`.graph`
(``require`` order), :mod:`.kernel` (kernel activation), :mod:`.bootstrap` (a rendered task
role), :mod:`.script` (the fixed parts and the checks of every bootstrap), :mod:`.units`
(command items grouped into complete shell commands, as OpenPAI joins them), :mod:`.render`
(the bootstrap; deployments' pre/post commands), :mod:`.runtime_plugins` (OpenPAI's
``extras`` runtime ``cmd`` plugin as a prerequisite).
Built-in plugins live in :mod:`.plugins` and are found through entry points like any other.
"""
