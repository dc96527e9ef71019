"""What goes out: report data, report workbooks, mail and the templates sent to units."""
