"""Receipt printers: the PDF scans back to its receipt code and says what the sale did; the
ESC/POS byte stream has the total, a CODE128 barcode and a cut; bad printer settings say why."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from escpos.printer import Dummy

from loyalty_pos.cards.receipt_pdf import render_receipt_pdf
from loyalty_pos.cards.receipt_text import format_receipt_text
from loyalty_pos.core.money import format_money
from loyalty_pos.devices.printer import (
    EscposReceiptPrinter,
    PdfReceiptPrinter,
    PrinterError,
    make_printer,
)
from loyalty_pos.services.checkout import PaymentRequest
from loyalty_pos.services.receipts import ReceiptData, ReceiptService
from loyalty_pos.services.refunds import RefundRequest

GS_K_CODE128 = b"\x1dkI"  # GS k, function B, barcode system 73 = CODE128


def member_receipt(till, name: str = "Wang Xiaoming") -> ReceiptData:  # type: ignore[no-untyped-def]
    member = till.enrol(name).summary
    till.balances.top_up(member.id, 10_000, "cash", till.cashier_id)
    till.sell([("TV", 1)], member.id)
    due = till.checkout.quote([("TEA", 2)], member.id, 500).due_after_points
    sale = till.sell([("TEA", 2)], member.id, points=500, payments=[
        PaymentRequest("stored_value", 3000), PaymentRequest("cash", due - 3000,
                                                             tendered=due - 3000 + 50)])
    return ReceiptService(till.ctx).sale_receipt(sale.sale_id)


def pdf_page(path: Path):  # type: ignore[no-untyped-def]
    return pdfium.PdfDocument(path)[0]


def test_pdf_receipt_scans_back_and_says_what_happened(till, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    receipt = member_receipt(till)
    where = PdfReceiptPrinter(tmp_path / "receipts").print_receipt(receipt)
    path = Path(where)
    assert path == tmp_path / "receipts" / f"{receipt.receipt_code}.pdf"

    page = pdf_page(path)
    width_mm = page.get_width() / 72 * 25.4
    assert width_mm == pytest.approx(80, abs=0.1)
    image = page.render(scale=3).to_pil()
    codes = [(b.format.name, b.text) for b in zxingcpp.read_barcodes(image)]
    assert ("Code128", receipt.receipt_code) in codes

    text = page.get_textpage().get_text_range()
    for expected in ("High Street", "TOTAL", format_money(receipt.total, "¥"), "Wang X.",
                     f"+{receipt.points_earned:,}", f"{receipt.points_balance:,}",
                     format_money(receipt.stored_value_balance), "Stored value balance",
                     f"points expire on {receipt.soonest_expiry.isoformat()}",
                     f"****{receipt.card_last4}", "Cash tendered", "Change"):
        assert expected in text, expected


def test_pdf_with_chinese_names_renders(till, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    till.catalog.add_product("RICE-CN", "东北大米 5kg", "grocery", 5990)
    member = till.enrol("王小明").summary
    sale = till.sell([("RICE-CN", 1)], member.id)
    receipt = replace(ReceiptService(till.ctx).sale_receipt(sale.sale_id),
                      store_name="上海南京路店", store_address="南京东路 100 号\nShanghai")
    assert receipt.member_name == "王*明"
    path = render_receipt_pdf(receipt, tmp_path / "cn.pdf")
    page = pdf_page(path)
    page.render(scale=2).to_pil()
    text = page.get_textpage().get_text_range()
    # (pdfium without a CJK font on the machine drops lone CJK characters from the text, so
    # the masked name is checked by its line and longer runs by their text)
    for expected in ("上海南京路店", "东北大米 5kg", "南京东路 100", "Member", "59.90"):
        assert expected in text, expected


def test_pdf_height_fits_the_content(till, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    short = till.sell([("BREAD", 1)])
    receipt = ReceiptService(till.ctx).sale_receipt(short.sale_id)
    longer = replace(receipt, lines=receipt.lines * 20)
    small = pdf_page(render_receipt_pdf(receipt, tmp_path / "a.pdf")).get_height()
    tall = pdf_page(render_receipt_pdf(longer, tmp_path / "b.pdf")).get_height()
    assert tall > small + 19 * 8


def test_text_layout_fits_the_columns(till) -> None:  # type: ignore[no-untyped-def]
    receipt = member_receipt(till, "欧阳小明")
    lines = format_receipt_text(receipt, width=32)
    assert all(len(line) + sum(1 for c in line if ord(c) > 0x2E80) <= 32 for line in lines)
    assert any(line.startswith("TOTAL") and line.endswith(format_money(receipt.total, "¥"))
               for line in lines)
    assert any("欧**明" in line for line in lines)
    device = Dummy()
    EscposReceiptPrinter(device, columns=32).print_receipt(receipt)
    assert "欧**明".encode("gb18030") in device.output  # what Chinese printers expect


def test_escpos_printout_has_total_barcode_and_cut(till) -> None:  # type: ignore[no-untyped-def]
    receipt = member_receipt(till)
    device = Dummy()
    assert EscposReceiptPrinter(device, "printer 192.168.1.50").print_receipt(receipt) == (
        "printer 192.168.1.50")
    output = device.output
    assert format_money(receipt.total).encode() in output
    assert b"TOTAL" in output and b"Wang X." in output
    assert GS_K_CODE128 + bytes([len(receipt.receipt_code) + 2]) + b"{B" + (
        receipt.receipt_code.encode()) in output
    assert output.rstrip(b"\x00").endswith(b"\x1dV")  # GS V: cut
    assert b"\x1b!0" in output  # double width and height for the store name


def test_escpos_refund_receipt_prints(till) -> None:  # type: ignore[no-untyped-def]
    sale = till.sell([("BREAD", 2)])
    refund = till.refunds.refund(RefundRequest(str(uuid.uuid4()), sale.sale_id,
                                               till.cashier_id))
    receipt = ReceiptService(till.ctx).refund_receipt(refund.refund_id)
    device = Dummy()
    EscposReceiptPrinter(device).print_receipt(receipt)
    assert b"REFUND TOTAL" in device.output and sale.receipt_code.encode() in device.output


def test_make_printer_explains_bad_settings(tmp_path: Path) -> None:
    assert isinstance(make_printer("pdf", "", tmp_path), PdfReceiptPrinter)
    with pytest.raises(PrinterError, match="on serial port /dev/no-such-printer"):
        make_printer("serial", "/dev/no-such-printer@19200", tmp_path)
    with pytest.raises(PrinterError, match="'fast' is not a baud rate"):
        make_printer("serial", "/dev/ttyUSB0@fast", tmp_path)
    with pytest.raises(PrinterError, match="needs a device path"):
        make_printer("serial", "", tmp_path)
    with pytest.raises(PrinterError, match="not a TCP port"):
        make_printer("network", "192.168.1.50:printer", tmp_path)
    with pytest.raises(PrinterError, match="unknown receipt printer kind 'usb'"):
        make_printer("usb", "", tmp_path)


def test_make_printer_opens_a_serial_port(tmp_path: Path) -> None:
    master, slave = os.openpty()
    try:
        printer = make_printer("serial", f"{os.ttyname(slave)}@19200", tmp_path)
        assert isinstance(printer, EscposReceiptPrinter)
        assert printer.description == f"printer on {os.ttyname(slave)}"
    finally:
        os.close(master)
        os.close(slave)


def test_make_printer_says_when_a_network_printer_refuses(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(PrinterError, match=f"at 127.0.0.1:{port}: Connection refused"):
        make_printer("network", f"127.0.0.1:{port}", tmp_path)


class UnpluggedPrinter(Dummy):
    def _raw(self, msg: bytes) -> None:
        raise OSError(32, "Broken pipe")


def test_a_printer_failing_mid_receipt_raises_printer_error(till) -> None:  # type: ignore[no-untyped-def]
    sale = till.sell([("BREAD", 1)])
    receipt = ReceiptService(till.ctx).sale_receipt(sale.sale_id)
    with pytest.raises(PrinterError, match=f"printer 10.0.0.9 did not print receipt "
                                           f"{sale.receipt_code}: Broken pipe"):
        EscposReceiptPrinter(UnpluggedPrinter(), "printer 10.0.0.9").print_receipt(receipt)


def test_printers_and_receipt_rendering_import_neither_qt_nor_the_database() -> None:
    code = ("import sys, loyalty_pos.devices.printer, loyalty_pos.cards.receipt_pdf; "
            "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith("
            "('sqlalchemy', 'PySide6', 'loyalty_pos.db', 'loyalty_pos.services'))}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
