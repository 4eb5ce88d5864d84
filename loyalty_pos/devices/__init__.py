"""Hardware at the till: barcode/QR scanners (serial and keyboard wedge) and receipt printers.

Nothing here imports Qt or touches the database. Each device sits behind a small plain-Python
interface that reports through callbacks; the Qt bridges in `loyalty_pos.ui` turn those callbacks
into signals on the GUI thread. Missing hardware is a status ("disconnected"), never a crash.
"""
