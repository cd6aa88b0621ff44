"""hvbpa: a Best Practices Analyzer for Windows Server Hyper-V fleets."""

__version__ = "0.1.0"
