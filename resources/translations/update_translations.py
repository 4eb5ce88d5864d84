"""Update the till's Simplified Chinese translation: lupdate, fill in the texts below, lrelease.

English is the source language (the strings in the code). After adding or changing any
self.tr(...) text under loyalty_pos/ui/, run from the repository root:

    .venv/bin/python resources/translations/update_translations.py

It
1. runs PySide6's lupdate over every .py under loyalty_pos/ui/ into loyalty_pos_zh_CN.ts
   (messages that left the code are dropped: -no-obsolete),
2. writes the Chinese of ZH_CN / ZH_CN_IN_CONTEXT below into every message and marks it finished,
   checking that each translation keeps the source's {placeholders}, line breaks, edge spaces and
   key hints (F2, F12, Enter, Esc),
3. compiles loyalty_pos_zh_CN.qm with lrelease.

A message with no Chinese here stays "unfinished" and the script lists it and exits with 1:
add the Chinese to ZH_CN (keyed by the exact English source text) and run it again. Commit the
.ts, the .qm and this file together. `--check` only reports, changing nothing.

Wording: cashier-facing terms as used in Chinese retail (会员, 积分, 储值, 收银员, 店长, 退款,
小票, 找零, 充值, 扫码枪). Keep {placeholders} exactly, and key names (F12, Enter) in ASCII.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from loyalty_pos.ui.translations_check import (
    SOURCE_LANGUAGE,
    qm_path,
    qt_tool,
    read_ts,
    report,
    ts_path,
    ui_source_dir,
)

LANGUAGE = "zh_CN"

# English source text -> Simplified Chinese, for every context.
ZH_CN: dict[str, str] = {
    # -- window, status bar -------------------------------------------------------------------
    "Loyalty POS {version} — {store}": "会员收银系统 {version} — {store}",
    "Scanner connected": "扫码枪已连接",
    "Scanner DISCONNECTED — reconnecting": "扫码枪已断开 — 正在重新连接",
    "Scanner stopped": "扫码枪已停止",
    "No serial scanner (keyboard scanners work)": "未配置串口扫码枪（USB 键盘式扫码枪可用）",
    "Cashier: {name}": "收银员：{name}",
    "Signed out": "未登录",
    "Sync: {count} waiting to send": "同步：{count} 条待上传",
    "About": "关于",
    "About Loyalty POS": "关于会员收银系统",
    ("Loyalty POS {version}\n\nTill database: {database}\nBackups: {backups}\n"
     "Qt {qt}, Python {python}"):
        ("会员收银系统 {version}\n\n收银数据库：{database}\n备份：{backups}\n"
         "Qt {qt}，Python {python}"),
    "Backup failed: {error}": "备份失败：{error}",
    # -- sign-in ------------------------------------------------------------------------------
    "Who is signing in?": "请选择登录人员",
    "PIN": "密码",
    "manager": "店长",
    "cashier": "收银员",
    # -- sale screen: scan line, basket, totals -------------------------------------------------
    "Scan or type a barcode, card or receipt number": "扫描或输入商品条码、会员卡号或小票号",
    "Item": "商品",
    "Qty": "数量",
    "Price": "单价",
    "Discount": "优惠",
    "Amount": "金额",
    "Subtotal": "小计",
    "Discounts": "优惠",
    "Total": "合计",
    "Points to earn: {points} ({why})": "本单可得积分：{points}（{why}）",
    # -- sale screen: action buttons (the function key is added below the text) --------------
    "Find member": "查找会员",
    "Quantity": "数量",
    "Void line": "删除商品",
    "Detach member": "移除会员",
    "Top up": "充值",
    "Refund": "退款",
    "Reprint": "重打小票",
    "Cancel sale": "取消交易",
    "Adjust points": "调整积分",
    "Settings": "设置",
    "Sign out": "签退",
    "Pay": "结账",
    # -- sale screen: messages ----------------------------------------------------------------
    "Signed in as {name}.": "已登录：{name}。",
    "Unknown code {code}: nothing was changed.": "无法识别的条码 {code}：未做任何更改。",
    "{name} added.": "已添加 {name}。",
    "This card cannot be used: see the member panel.": "此卡不能使用：请查看会员信息栏。",
    "Member {name} attached.": "已关联会员 {name}。",
    "New quantity": "新数量",
    "Line voided.": "已删除该商品。",
    "Sale cancelled: nothing was recorded.": "交易已取消：未记录任何内容。",
    "Sale {receipt} complete. Change {change}.": "交易 {receipt} 已完成。找零 {change}。",
    "{name}: +{earned} points, balance {points}.": "{name}：积分 +{earned}，积分余额 {points}。",
    "Unexpected error: {error}": "意外错误：{error}",
    "The receipt could not be printed ({error}); the sale is saved. Use Reprint (F8).":
        "小票打印失败（{error}）；交易已保存。请按“重打小票”（F8）。",
    "No receipt to reprint yet.": "还没有可以重打的小票。",
    "Refund {receipt}: pay back {cash} cash, {card} to card; stored value +{stored}; "
    "points -{taken} / +{given}.":
        "退款 {receipt}：退现金 {cash}，退回银行卡 {card}；储值 +{stored}；"
        "积分 -{taken} / +{given}。",
    "Attach a member first (scan the card or press F2).": "请先关联会员（扫描会员卡或按 F2）。",
    "adjust points": "调整积分",
    # -- member panel -------------------------------------------------------------------------
    "Tier": "会员等级",
    "Points": "积分",
    "Stored value": "储值",
    "Soonest expiry": "最近到期积分",
    "Consent": "协议与授权",
    "Card": "会员卡号",
    "No member": "未关联会员",
    "Scan a member card or press F2 to find a member.": "请扫描会员卡，或按 F2 查找会员。",
    "{points} on {date}": "{points} 分于 {date} 到期",
    "agreed": "已同意",
    "MISSING": "缺失",
    "marketing yes": "接收营销信息",
    "marketing no": "不接收营销信息",
    "Why this tier: {reason}": "等级依据：{reason}",
    "Card {card} is BLOCKED (reported lost). Do not accept it; the member can get a new card "
    "from a manager.":
        "会员卡 {card} 已冻结（已挂失）。请勿受理此卡；会员可找店长补办新卡。",
    "Membership is {status}: no points or stored value.":
        "会员状态为 {status}：不能使用积分或储值。",
    "Points balance is negative after a refund; new points settle it first.":
        "退款后积分余额为负数；新获得的积分将先用于抵扣。",
    # -- find member --------------------------------------------------------------------------
    "Phone number or part of the name": "手机号或部分姓名",
    "Attach member": "关联会员",
    "{count} found": "找到 {count} 位会员",
    "Cancel": "取消",
    "{points} pts": "{points} 积分",
    "suspended": "已暂停",
    "OK": "确定",
    # -- top up -------------------------------------------------------------------------------
    "Top up stored value": "储值充值",
    "Member": "会员",
    "Balance": "储值余额",
    "Cash": "现金",
    "Card terminal": "刷卡",
    "Paid by": "支付方式",
    "Card reference": "刷卡参考号",
    "Enter an amount above zero.": "请输入大于零的金额。",
    # -- manager approval ---------------------------------------------------------------------
    "Manager approval": "店长授权",
    "A manager must approve: {action}": "此操作需要店长授权：{action}",
    "Manager": "店长",
    "Approve": "授权",
    # -- adjust points ------------------------------------------------------------------------
    "e.g. 200 or -50": "例如 200 或 -50",
    "Reason": "原因",
    "Adjust": "确认调整",
    "Points must be a whole number.": "积分必须是整数。",
    "Enter points other than 0 and a reason.": "请输入不为 0 的积分并填写原因。",
    # -- payment ------------------------------------------------------------------------------
    "Payment": "收款",
    "Points to redeem": "兑换积分",
    "Points pay": "积分抵扣",
    "terminal reference": "刷卡终端参考号",
    "Cash tendered": "实收现金",
    "Cash due": "应收现金",
    "Change": "找零",
    "Points to earn": "本单可得积分",
    "Complete sale (Enter)": "完成收款（Enter）",
    "Back (Esc)": "返回（Esc）",
    " of {limit} allowed": " / 最多可用 {limit}",
    "Stored value needs a member.": "使用储值支付需要先关联会员。",
    "Stored value balance is only {amount}.": "储值余额只有 {amount}。",
    "Stored value and card pay more than is due.": "储值和刷卡金额超过了应付金额。",
    "Enter the card terminal's reference.": "请输入刷卡参考号。",
    "Cash tendered is short by {amount}.": "实收现金还差 {amount}。",
    # -- refund -------------------------------------------------------------------------------
    "Scan or type the receipt number (R…)": "扫描或输入小票号（R…）",
    "Open": "调取小票",
    "Sold": "已售数量",
    "Refundable": "可退数量",
    "Refund qty": "退货数量",
    "Confirm refund": "确认退款",
    "Refund {amount}: cash {cash}, card {card}, stored value back {stored}.\n"
    "Points taken back: {taken}. Points given back: {given}.":
        "退款 {amount}：现金 {cash}，银行卡 {card}，退回储值 {stored}。\n"
        "扣回积分：{taken}。退还积分：{given}。",
    # -- settings -----------------------------------------------------------------------------
    "Barcode scanner (serial port)": "扫码枪（串口）",
    "e.g. /dev/ttyUSB0 or COM3; empty = none": "例如 /dev/ttyUSB0 或 COM3；留空表示不使用",
    "None": "无校验",
    "Even": "偶校验",
    "Odd": "奇校验",
    "Port": "端口",
    "Baud rate": "波特率",
    "Data bits": "数据位",
    "Parity": "校验位",
    "Stop bits": "停止位",
    "Suffix": "后缀",
    "Prefix": "前缀",
    "Receipt printer": "小票打印机",
    "PDF file (no printer)": "PDF 文件（不接打印机）",
    "ESC/POS on serial port": "ESC/POS 串口打印机",
    "ESC/POS on network": "ESC/POS 网络打印机",
    "/dev/ttyS0@19200 or 192.168.1.50:9100": "/dev/ttyS0@19200 或 192.168.1.50:9100",
    "Printer": "打印机",
    "Device or address": "设备或地址",
    "Language": "语言",
    # -- first start --------------------------------------------------------------------------
    "Set up this till": "设置本收银台",
    "This till has no store yet. Create the demo store to try the till, or set up your own "
    "store and first manager.":
        "本收银台还没有门店。可以创建演示门店来试用，或者设置您自己的门店和第一位店长。",
    "Create the demo store": "创建演示门店",
    "Store code": "门店编号",
    "Store name": "门店名称",
    "Till number (unique in the chain)": "收银台号（全连锁唯一）",
    "Manager name": "店长姓名",
    "Manager PIN (4-8 digits)": "店长密码（4-8 位数字）",
    "Set up my store": "设置我的门店",
    "Quit": "退出",
    "Till {n}": "{n} 号收银台",
    "Fill in the store and the manager.": "请填写门店和店长信息。",
}

# Where one English text needs different Chinese in one context: (context, source) -> Chinese.
ZH_CN_IN_CONTEXT: dict[tuple[str, str], str] = {
    ("MemberPanel", "Stored value"): "储值余额",
    ("MemberPanel", "Points"): "积分余额",
    ("PaymentDialog", "Stored value"): "储值支付",
    ("PaymentDialog", "Total"): "应付合计",
    ("TopUpDialog", "Amount"): "充值金额",
    ("TopUpDialog", "Top up"): "确认充值",
    ("AdjustPointsDialog", "Points"): "调整积分数",
}

TS_HEADER = '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n'


def chinese_for(context: str, source: str) -> str | None:
    return ZH_CN_IN_CONTEXT.get((context, source), ZH_CN.get(source))


def run(tool: str, *args: str) -> str:
    done = subprocess.run([str(qt_tool(tool)), *args], capture_output=True, text=True,
                          check=False)
    output = done.stdout + done.stderr
    if done.returncode:
        sys.exit(f"{tool} failed ({done.returncode}):\n{output}")
    return output


def lupdate(ts: Path) -> None:
    print(run("lupdate", "-extensions", "py", "-no-obsolete", "-source-language",
              SOURCE_LANGUAGE, "-target-language", LANGUAGE, str(ui_source_dir()),
              "-ts", str(ts)).strip())


def fill(ts: Path) -> list[str]:
    """Write the Chinese into the .ts; the sources that have none (left unfinished)."""
    tree = ET.parse(ts)
    untranslated = []
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source") or ""
            translation = message.find("translation")
            if translation is None or translation.get("type") in ("obsolete", "vanished"):
                continue
            chinese = chinese_for(name, source)
            if chinese is None:
                untranslated.append(f"[{name}] {source!r}")
                continue
            translation.text = chinese
            translation.attrib.pop("type", None)
    # Written the way lupdate writes it, so that a later lupdate run changes only what changed.
    body = ET.tostring(tree.getroot(), encoding="unicode").replace(" />", "/>")
    ts.write_text(TS_HEADER + body.replace("'", "&apos;") + "\n", encoding="utf-8")
    return untranslated


def lrelease(ts: Path, qm: Path) -> int:
    """Compile the .qm; the number of unfinished messages lrelease reports."""
    output = run("lrelease", str(ts), "-qm", str(qm)).strip()
    print(output)
    unfinished = re.search(r"(\d+) unfinished", output)
    return int(unfinished.group(1)) if unfinished else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only check the .ts as it is; write nothing")
    args = parser.parse_args()
    ts, qm = ts_path(LANGUAGE), qm_path(LANGUAGE)
    if not args.check:
        lupdate(ts)
        untranslated = fill(ts)
        if untranslated:
            print("No Chinese yet (add them to ZH_CN in this script):", *untranslated, sep="\n  ")
        if lrelease(ts, qm):
            print(f"lrelease left messages unfinished: {qm.name} lacks them")
    problems = report(read_ts(ts))
    if problems:
        print(f"{len(problems)} problem(s) in {ts.name}:", *problems, sep="\n  ")
        return 1
    print(f"{ts.name}: {len(read_ts(ts))} messages, all translated.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
