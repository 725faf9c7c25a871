"""HTTP blueprints: thin shells over docgen.documents."""
