"""The PySide6 till. The only package that imports Qt; widgets call services, never Sessions."""
