"""Receipt printers: a PDF file when no printer is set up, or an ESC/POS thermal printer.

Both print the rows of `cards.receipt_text`, so the paper and the PDF say the same things. The
ESC/POS printer takes any python-escpos printer object (`escpos.printer.Serial`, `Network`, or
`Dummy` in tests); `make_printer` builds one from the till's settings.

Threads: `print_receipt` blocks on the device (a serial line or a socket), so the till calls it
from a worker thread, never the GUI thread. A printer that cannot be reached raises
`PrinterError` with a message for the cashier; the till then offers the PDF instead.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from escpos.exceptions import Error as EscposError

from ..cards.receipt_pdf import render_receipt_pdf
from ..cards.receipt_text import (
    BANNER,
    CENTER,
    HEADING,
    TITLE,
    TOTAL,
    Row,
    format_row,
    receipt_rows,
)
from ..core.errors import LoyaltyError

if TYPE_CHECKING:
    from ..services.receipts import ReceiptData

PRINTER_KINDS = ("pdf", "serial", "network")
DEFAULT_BAUDRATE = 9600
DEFAULT_NETWORK_PORT = 9100
NETWORK_TIMEOUT_S = 5.0
TEXT_COLUMNS = 42


class PrinterError(LoyaltyError):
    """The receipt printer is not set up right, cannot be reached or failed while printing."""


class ReceiptPrinter(Protocol):
    def print_receipt(self, data: ReceiptData) -> str:
        """Print one receipt; return where it went, for the cashier ("printer on ...")."""
        ...


class PdfReceiptPrinter:
    """Writes `<receipt code>.pdf` into a folder (a reprint overwrites the same file)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def print_receipt(self, data: ReceiptData) -> str:
        try:
            path = render_receipt_pdf(data, self.directory / f"{data.receipt_code}.pdf")
        except OSError as exc:
            raise PrinterError(f"cannot write the receipt PDF in {self.directory}: {exc}"
                               ) from exc
        return str(path)


class EscposReceiptPrinter:
    """Drives a python-escpos printer object. The connection is closed after each receipt.

    Closing after each receipt means a printer that was switched off, or a network printer
    that dropped the idle socket, works again for the next receipt (python-escpos reopens the
    device on first use).
    """

    def __init__(self, device: Any, description: str = "receipt printer",
                 columns: int = TEXT_COLUMNS) -> None:
        self.device = device
        self.description = description
        self.columns = columns

    def print_receipt(self, data: ReceiptData) -> str:
        try:
            # python-escpos prints which barcode renderer it chose on stdout
            with contextlib.redirect_stdout(io.StringIO()):
                self._send(data)
        except (EscposError, OSError) as exc:
            raise PrinterError(f"the {self.description} did not print receipt "
                               f"{data.receipt_code}: {_reason(exc)}") from exc
        finally:
            with contextlib.suppress(EscposError, OSError):
                self.device.close()
        return self.description

    def _send(self, data: ReceiptData) -> None:
        device = self.device
        for row in receipt_rows(data):
            self._row(row)
        device.set(align="center")
        device.barcode("{B" + data.receipt_code, "CODE128", height=80, width=2, pos="BELOW",
                       function_type="B")
        device.ln()
        device.cut()

    def _row(self, row: Row) -> None:
        device = self.device
        if row.style == TITLE:  # double width: half as many columns
            device.set(align="center", bold=True, double_width=True, double_height=True)
            for line in format_row(row, self.columns // 2):
                device.textln(line.strip())
        elif row.style in (CENTER, BANNER):
            device.set(align="center", bold=row.style == BANNER, normal_textsize=True)
            for line in format_row(row, self.columns):
                device.textln(line.strip())
        else:
            device.set(align="left", bold=row.style in (TOTAL, HEADING),
                       double_height=row.style == TOTAL, normal_textsize=row.style != TOTAL)
            for line in format_row(row, self.columns):
                device.textln(line)
        device.set(align="left", bold=False, normal_textsize=True)


def _reason(exc: BaseException) -> str:
    """The most telling message: python-escpos wraps the OS error in a vaguer one."""
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, OSError):
        exc = cause
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return " ".join(text.split()) or type(exc).__name__


def _serial_target(target: str) -> tuple[str, int]:
    """'/dev/ttyUSB0' or '/dev/ttyUSB0@19200' -> (path, baud rate)."""
    path, _, baud = target.strip().partition("@")
    if not path:
        raise PrinterError("a serial printer needs a device path, e.g. /dev/ttyUSB0@19200")
    if not baud:
        return path, DEFAULT_BAUDRATE
    if not baud.isdigit() or int(baud) <= 0:
        raise PrinterError(f"'{baud}' is not a baud rate (write the port as {path}@9600)")
    return path, int(baud)


def _network_target(target: str) -> tuple[str, int]:
    """'192.168.1.50' or '192.168.1.50:9100' -> (host, port)."""
    host, _, port = target.strip().rpartition(":") if ":" in target else (target.strip(), "", "")
    if not host:
        raise PrinterError("a network printer needs a host name or address, e.g. 192.168.1.50")
    if not port:
        return host, DEFAULT_NETWORK_PORT
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise PrinterError(f"'{port}' is not a TCP port (write the printer as {host}:9100)")
    return host, int(port)


def _open(device: Any, where: str) -> None:
    try:
        device.open()
    except (EscposError, OSError) as exc:
        raise PrinterError(f"cannot open the receipt printer {where}: {_reason(exc)}") from exc
    device.close()


def make_printer(kind: str, target: str, pdf_directory: Path) -> ReceiptPrinter:
    """The printer the till's settings name. A device is opened once here to check it."""
    kind = (kind or "").strip().lower()
    if kind == "pdf":
        return PdfReceiptPrinter(pdf_directory)
    if kind == "serial":
        from escpos.printer import Serial

        path, baud = _serial_target(target or "")
        serial_device = Serial(devfile=path, baudrate=baud)
        _open(serial_device, f"on serial port {path}")
        return EscposReceiptPrinter(serial_device, f"printer on {path}")
    if kind == "network":
        from escpos.printer import Network

        host, port = _network_target(target or "")
        network_device = Network(host=host, port=port, timeout=NETWORK_TIMEOUT_S)
        _open(network_device, f"at {host}:{port}")
        return EscposReceiptPrinter(network_device, f"printer {host}:{port}")
    raise PrinterError(f"unknown receipt printer kind '{kind}' "
                       f"(use one of {', '.join(PRINTER_KINDS)})")
