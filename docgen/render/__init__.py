"""Generic renderers and post-processing: they take a template name and a context, and know no document type."""
