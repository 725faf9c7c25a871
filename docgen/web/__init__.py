"""The staff web page's files: one HTML template, one script and one stylesheet, served by docgen itself."""
