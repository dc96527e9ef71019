"""Files on disk: the ``Workbook`` interface, cells, styles, the xlsx patcher and locks. Imports ``spec`` and ``core``."""
