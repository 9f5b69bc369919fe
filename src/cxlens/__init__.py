"""cxlens: customer-experience measurement across the whole customer journey."""
__version__ = "0.1.0"
