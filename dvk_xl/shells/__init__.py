"""Top layer, thin shells over the library: the ``dvk`` CLI, the ribbon and the Excel add-in."""
