"""Incident archive: turn curated YAML incident files into a static, searchable website.

The flow runs one way: load -> validate -> model -> render -> search.
`pipeline` wires the steps together; `build.py` at the top level is the command line.
"""
