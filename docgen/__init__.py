"""docgen: 职称评审 forms and notices as print-ready PDF and editable DOCX, from JSON."""
