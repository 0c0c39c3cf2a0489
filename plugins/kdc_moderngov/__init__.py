"""ModernGov import: councillors (GetCouncillorsByWard) from the council's committee system.

``kdc import moderngov-councillors SOURCE`` reads the XML from a file or URL and keeps the
councillors, wards, groups, key posts and terms of office in step with it. The hook
implementations are in :mod:`kdc_moderngov.hooks`, which imports the heavy parts only when an
import runs.
"""

from kdc_moderngov.hooks import kdc_check_config, kdc_register_importers

__all__ = ["kdc_check_config", "kdc_register_importers"]
