"""The desktop app: PySide6 windows, widgets, Qt models and the worker that owns the vault.

The only room of the code that imports Qt. Views never hold SQL or a database connection: they
hand small functions of the vault to `VaultTasks`, which runs them on the one thread that owns
the SQLCipher connection and brings the results back to the GUI thread.
"""
