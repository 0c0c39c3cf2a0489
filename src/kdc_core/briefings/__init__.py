"""Ward briefings: what a service tells ward councillors before it becomes public (protocol 8.1)."""
