"""archive/_fastload.c: the reading of plain YAML files in C (see load.parse_yaml_bytes)."""

from collections.abc import Callable
from typing import Any

def build(text_utf8: bytes, value_positions: dict[tuple, tuple[int, int]], key_positions: dict[tuple, tuple[int, int]],
          resolve: Callable[[str], Any], resolved_first: bytes, give_up: object, max_depth: int) -> Any: ...
def version_of_libyaml() -> tuple[int, int, int]: ...
