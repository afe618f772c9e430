"""Built-in prerequisite plugins (declared as ``envyard.prerequisites`` entry points).

``base`` (what they share: callbacks as shell, parameter helpers), ``cmd`` (the default:
callbacks run as written), ``data`` (fetch or copy files, checksum), ``docker`` (the image a task
role runs), ``git`` (check out a repository), ``pip`` (packages into the activated kernel).
"""
