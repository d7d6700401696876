"""The network engine: drives the pure core over asyncio TCP+TLS and zeroconf.

The UI and the CLI talk only to the engines here (through `facade` for the
GUI's thread); nothing above this package opens a socket.
"""
