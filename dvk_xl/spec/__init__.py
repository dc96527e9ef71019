"""The forms' specification (tables, columns, Phụ lục 01/02/03) and the campaign presets. Imports only ``core``."""
