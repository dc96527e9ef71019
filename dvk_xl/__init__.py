"""dvk_xl: run the "Dân vận khéo" emulation movement from an Excel master workbook.

Heavy modules (pandas, pandera, openpyxl) are imported by the functions that need them,
so that ``import dvk_xl`` and ``dvk --help`` stay fast.
"""

__version__ = "0.1.0"
