"""The PySide6 desktop app. It reaches the network only through `huddle.net.facade`,
run on a thread of its own by `ui.engine`."""
