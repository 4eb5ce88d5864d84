"""`loyalty-headoffice report`: the tables on stdout, CSV that reads back into the same rows,
and one PDF with every report and its chart (text read back with pypdfium2, a page rendered
to PNG for a person to look at)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import pytest
from pdf_helpers import pdf_text
from test_reports_ledger import small_chain
from test_reports_members import member_chain

from loyalty_pos.headoffice import reports
from loyalty_pos.headoffice.db import HeadOfficeDb
from loyalty_pos.headoffice.report_cli import add_report_parser, run_report
from loyalty_pos.headoffice.report_tables import REPORTS, build, read_csv, write_csv


def render_page(path: Path, index: int, out: Path) -> Path:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        pdf[index].render(scale=1.4).to_pil().save(out)
    finally:
        pdf.close()
    return out


def report(db: HeadOfficeDb, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="loyalty-headoffice")
    add_report_parser(parser.add_subparsers(dest="command", required=True))
    url = db.url.render_as_string(hide_password=False)
    return run_report(parser.parse_args(["report", *argv, "--db", url]))


@pytest.fixture
def chain_db(headoffice: HeadOfficeDb) -> HeadOfficeDb:
    small_chain(headoffice, member_chain(headoffice))
    return headoffice


def test_each_report_prints_a_table(chain_db: HeadOfficeDb,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert report(chain_db, "liability", "--from", "2026-03-01", "--to", "2026-03-03") == 0
    out = capsys.readouterr().out
    assert out.startswith("Liability by store and day — 2026-03-01 to 2026-03-03, all stores")
    lines = out.splitlines()
    assert lines[2].split() == ["Day", "Store", "Points", "Stored", "value"]
    # 3 Mar: S001 200 points, 43.00 (test_reports_ledger) + the member chain's entries at
    # S001: referral 50 + 100 and an earn of 100; S002 217, 2.00 + referral 50 + 100
    assert "2026-03-03  S001      450         43.00" in out
    assert "2026-03-03  S002      367          2.00" in out
    assert "2026-03-03  ALL       817         45.00" in out

    assert report(chain_db, "redemption", "--from", "2026-03-01", "--to", "2026-03-03") == 0
    out = capsys.readouterr().out
    assert "S001      200            0        50        10       60            20.0%        30.0%" \
        in out
    assert "20.0%" in out and "30.0%" in out

    assert report(chain_db, "rfm", "--to", "2026-03-10") == 0
    out = capsys.readouterr().out
    assert "Champions" in out and "5 members with a sale in the period" in out

    assert report(chain_db, "cohorts", "--to", "2026-03-31") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].split() == ["Enrolled", "Members", "M0", "M1", "M2"]
    assert lines[4].split() == ["2026-01", "2", "100.0%", "50.0%", "100.0%"]
    assert lines[6].split() == ["2026-03", "1", "100.0%"]

    assert report(chain_db, "tiers", "--store", "S002") == 0
    assert "Tier distribution — all days, store S002, members now" in capsys.readouterr().out
    assert report(chain_db, "referrals") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[4].split() == ["Ann", "A", "2", "2", "3", "60.00", "170", "50"]


def test_bad_parameters_are_refused_with_a_reason(chain_db: HeadOfficeDb,
                                                  capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path) -> None:
    assert report(chain_db, "liability", "--store", "S404") == 2
    assert "error: head office knows no store with the code 'S404'" in capsys.readouterr().err
    assert report(chain_db, "all", "--csv", str(tmp_path / "x.csv")) == 2
    assert "--csv writes one report" in capsys.readouterr().err
    assert report(chain_db, "tiers", "--from", "2026-03-02", "--to", "2026-03-01") == 2
    with pytest.raises(SystemExit):
        report(chain_db, "tiers", "--from", "1 March")
    assert "not a day (YYYY-MM-DD)" in capsys.readouterr().err


def test_csv_reads_back_into_the_same_rows(chain_db: HeadOfficeDb, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    with chain_db.sessions() as session:
        results = {name: build(name, session, until=date(2026, 3, 31)) for name in REPORTS}
    for name, spec in REPORTS.items():
        path = tmp_path / f"{name}.csv"
        assert report(chain_db, name, "--to", "2026-03-31", "--csv", str(path)) == 0
        assert read_csv(spec.row_type, path) == list(results[name].rows), name
    assert f"rows written to {tmp_path / 'cohorts.csv'}" in capsys.readouterr().out
    text = (tmp_path / "liability.csv").read_text(encoding="utf-8-sig").splitlines()
    assert text[0] == "day,store,points,stored_value"
    assert "2026-03-03,S001,450,43.00" in text
    text = (tmp_path / "redemption.csv").read_text(encoding="utf-8-sig").splitlines()
    assert text[0] == ("store,earned,clawed_back,redeemed,restored,expired,redemption_rate,"
                       "expiry_rate")
    rfm = (tmp_path / "rfm.csv").read_text(encoding="utf-8-sig")
    assert "c,Cai 蔡,2026-02-03,56,1,0.00,1,3,1,At risk" in rfm
    # an empty report still has its header; rates without a base are empty cells
    empty = write_csv([], tmp_path / "empty.csv", reports.RfmRow)
    assert empty.read_text(encoding="utf-8-sig").startswith("member_uuid,name,last_sale,")
    none = write_csv([reports.RedemptionRow.of("ALL", 0, 0, 0, 0, 0)], tmp_path / "n.csv")
    assert none.read_text(encoding="utf-8-sig").splitlines()[1] == "ALL,0,0,0,0,0,,"
    assert read_csv(reports.RedemptionRow, none) == [
        reports.RedemptionRow("ALL", 0, 0, 0, 0, 0, None, None)]


def test_one_pdf_with_every_report_and_its_charts(chain_db: HeadOfficeDb, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "all.pdf"
    assert report(chain_db, "all", "--to", "2026-03-31", "--pdf", str(path)) == 0
    assert "PDF written to" in capsys.readouterr().out
    text = pdf_text(path)
    for title in ("Head office reports", "LIABILITY BY STORE AND DAY", "TIER DISTRIBUTION",
                  "REDEMPTION AND EXPIRY RATES", "REFERRAL ATTRIBUTION",
                  "MEMBER SEGMENTS (RFM)", "MONTHLY RETENTION COHORTS",
                  "Outstanding at the end of 31 March 2026", "Champions", "Cai 蔡"):
        assert title in text, title
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        assert len(pdf) >= 6  # a page (or more) per report
        images = sum(1 for page in pdf for obj in page.get_objects()
                     if obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE)
    finally:
        pdf.close()
    assert images == 6  # one chart per report
    # the first page as a person sees it (looked at while writing this: legible charts)
    from PIL import Image

    page = Image.open(render_page(path, 0, tmp_path / "page1.png")).convert("RGB")
    colours = page.getcolors(maxcolors=1 << 16) or []
    assert len(colours) > 50  # lines, text and anti-aliasing, not a blank page


def test_a_pdf_of_an_empty_database_says_so(headoffice: HeadOfficeDb, tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    assert report(headoffice, "all", "--pdf", str(path)) == 0
    text = pdf_text(path)
    assert "no ledger entries in the period" not in text  # in the chart image, not text
    # liability, tiers, referrals and cohorts; redemption and RFM show their zeros
    assert text.count("Nothing to report for this period.") == 4
