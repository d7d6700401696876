"""The PySide6 desktop app. It talks to the network only through `huddle.net.facade`."""
