"""Lowest layer: errors, text, dates, Vietnamese numbers, kinds, finding codes and findings. Imports nothing else of dvk_xl."""
