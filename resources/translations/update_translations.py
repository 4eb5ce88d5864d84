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
    # -- stored codes shown as words ----------------------------------------------------------
    "active": "正常",
    "erased": "已删除",
    "merged": "已合并",
    "blocked": "已挂失",
    "Marketing": "营销信息",
    "opted in": "已订阅",
    "withdrawn": "已撤回",
    "accepted {version}": "已同意 {version}",
    # -- window, status bar -------------------------------------------------------------------
    "Loyalty POS {version} — {store}": "会员收银系统 {version} — {store}",
    "Scanner connected": "扫码枪已连接",
    "Scanner DISCONNECTED — reconnecting": "扫码枪已断开 — 正在重新连接",
    "Scanner stopped": "扫码枪已停止",
    "No serial scanner (keyboard scanners work)": "未配置串口扫码枪（USB 键盘式扫码枪可用）",
    "Cashier: {name}": "收银员：{name}",
    "Signed out": "未登录",
    "Sync: checking…": "同步：正在检查…",
    "Sync state unknown: {error}": "同步状态未知：{error}",
    "Not connected to head office": "未连接总部",
    "This till works on its own: register it with head office to share members and balances "
    "with the other tills.":
        "本收银台独立运行：在总部注册后，才能与其他收银台共享会员和余额。",
    "{entries} ledger entries and {messages} records waiting to send. Click to sync now.":
        "{entries} 条账目和 {messages} 条记录待上传。点击立即同步。",
    "Last error: {error}": "上次错误：{error}",
    "Never synced with head office — stored value limited to {amount}":
        "从未与总部同步 — 储值支付限额 {amount}",
    "Offline for {duration} — stored value limited to {amount}":
        "已离线 {duration} — 储值支付限额 {amount}",
    "Stored value left to spend offline: {amount}": "离线时剩余可用储值额度：{amount}",
    "Sync: {count} waiting · last {time}": "同步：{count} 条待上传 · 上次 {time}",
    "{minutes} min": "{minutes} 分钟",
    "{hours} h {minutes} min": "{hours} 小时 {minutes} 分钟",
    "This till is not registered with head office (loyalty-pos register).":
        "本收银台尚未在总部注册（loyalty-pos register）。",
    "Syncing with head office…": "正在与总部同步…",
    "Sync: {error}": "同步：{error}",
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
    # -- till: help (F1) ----------------------------------------------------------------------
    "Help": "帮助",
    "Questions and answers": "常见问题",
    "Member agreement": "会员协议",
    "Privacy statement": "隐私声明",
    "Not published yet.": "尚未发布。",
    "What do you want to know? e.g. refund, expire": "想了解什么？例如：退款、过期",
    "Nothing found.": "未找到相关内容。",
    # -- manager screen -----------------------------------------------------------------------
    "Manager: {name}": "店长：{name}",
    "Back to the till": "返回收银",
    "Members": "会员",
    "Promotions": "促销",
    "Tiers and program": "等级与规则",
    "Reports": "报表",
    "Staff": "员工",
    "Audit log": "审计日志",
    # -- members tab --------------------------------------------------------------------------
    "Card number, phone or part of the name": "会员卡号、手机号或部分姓名",
    "Enrol new member": "注册新会员",
    "Card sheet of the list": "批量打印会员卡",
    "Import CSV…": "导入 CSV…",
    "Export CSV": "导出 CSV",
    "Edit details": "编辑资料",
    "Block card, issue new": "挂失并补卡",
    "Marketing on/off": "营销信息开/关",
    "Print card (PDF)": "打印会员卡（PDF）",
    "Electronic card": "电子会员卡",
    "History": "历史记录",
    "Merge duplicate…": "合并重复会员…",
    "Export data (privacy)": "导出个人数据（隐私）",
    "Erase (privacy)…": "删除个人信息（隐私）…",
    "Name": "姓名",
    "Phone": "手机号",
    "Email": "邮箱",
    "Birthday": "生日",
    "Status": "状态",
    "Referral code": "推荐码",
    "Consents": "协议与授权",
    "Cards": "会员卡",
    "Notes": "备注",
    "Enrolled {name}; card {card}.": "已注册会员 {name}；卡号 {card}。",
    "Saved.": "已保存。",
    "Block card": "挂失会员卡",
    "Why is card {card} blocked (lost, stolen, damaged)?":
        "会员卡 {card} 的挂失原因（遗失、被盗、损坏）？",
    "Card {old} blocked; new card {new}. Balances stay with the member.":
        "会员卡 {old} 已冻结；新卡号 {new}。积分和储值余额仍归该会员。",
    "Points to add (negative to take away)": "增加的积分（负数为扣减）",
    "Saved {path}": "已保存 {path}",
    "Search for the members whose cards to print first.": "请先搜索要打印会员卡的会员。",
    "Merged into {name}.": "已合并到 {name}。",
    "Personal data erased.": "个人信息已删除。",
    # -- enrolment and member details ---------------------------------------------------------
    "Enrol a member": "会员注册",
    "Enrol and issue card": "注册并发卡",
    "mobile number, digits": "手机号，仅限数字",
    "Birthday known": "填写生日",
    "optional: a member's referral code": "选填：推荐人的推荐码",
    "{title} (version {version})": "{title}（版本 {version}）",
    "The member has read and accepts the member agreement (version {v})":
        "会员已阅读并接受会员协议（版本 {v}）",
    "The member has read and accepts the privacy statement (version {v})":
        "会员已阅读并接受隐私声明（版本 {v}）",
    "The member agrees to receive marketing (optional, separate consent)":
        "会员同意接收营销信息（选填，单独授权）",
    "Already a member:": "已是会员：",
    "Enter a phone number or an email address.": "请输入手机号或邮箱。",
    "This phone or email already belongs to a member.": "该手机号或邮箱已属于一位会员。",
    "The member must accept the agreement and the privacy statement.":
        "会员必须接受会员协议和隐私声明。",
    "Edit member": "编辑会员资料",
    # -- member history -----------------------------------------------------------------------
    "History of {name}": "{name} 的历史记录",
    "Sales": "消费",
    "Receipt": "小票号",
    "When": "时间",
    "Points earned": "获得积分",
    "Points redeemed": "兑换积分",
    "Refunds": "退款",
    "Of sale": "原小票",
    "Points back": "扣回积分",
    "Points returned": "退还积分",
    "Kind": "类型",
    "Expires": "到期日",
    "Left in lot": "本批剩余",
    "Tiers": "等级",
    "From": "开始",
    "Action": "操作",
    "Version": "版本",
    "Till": "收银台",
    "Number": "卡号",
    "Issued": "发卡时间",
    "Blocked": "冻结时间",
    # -- merge, erase -------------------------------------------------------------------------
    "Merge two records of one person": "合并同一人的两条会员记录",
    "Keep": "保留",
    "card number or phone of the other record": "另一条记录的会员卡号或手机号",
    "Merge in": "并入",
    "Points (with their expiry dates) and stored value move to the kept member as new ledger "
    "entries; the other record's cards are blocked.":
        "积分（连同到期日）和储值将以新的账目记录转入保留的会员；另一条记录的会员卡将被冻结。",
    "Merge": "合并",
    "not found": "未找到",
    "Find the other record of this person first.": "请先找到此人的另一条记录。",
    "Give a reason.": "请填写原因。",
    "Erase personal data": "删除个人信息",
    "Erase the personal data of {name} on the member's request? Name, phone, email, birthday "
    "and notes are removed for good; the amounts of past points and stored value stay so the "
    "books still balance. Stored value still owed: {owed}.":
        "应会员本人要求删除 {name} 的个人信息？姓名、手机号、邮箱、生日和备注将被永久删除；"
        "以往的积分和储值金额会保留，以保证账目平衡。尚欠会员的储值：{owed}。",
    "Reason (request reference)": "原因（申请编号）",
    "Type ERASE to confirm": "输入 ERASE 确认",
    "Give a reason and type ERASE.": "请填写原因并输入 ERASE。",
    # -- CSV import ---------------------------------------------------------------------------
    "Import members from CSV": "从 CSV 导入会员",
    "Choose file…": "选择文件…",
    "Read columns": "读取列",
    "These members accepted the current member agreement and privacy statement":
        "这些会员已接受当前的会员协议和隐私声明",
    "Import": "导入",
    "Cancel import": "取消导入",
    "CSV file": "CSV 文件",
    "(not in the file)": "（文件中没有）",
    "Cancelled: nothing was imported.": "已取消：未导入任何会员。",
    "{count} problem(s): nothing was imported.": "发现 {count} 个问题：未导入任何会员。",
    "row {row}, {field} '{value}': {message}": "第 {row} 行，{field}“{value}”：{message}",
    "{count} members imported.": "已导入 {count} 位会员。",
    # -- staff --------------------------------------------------------------------------------
    "Role": "角色",
    "Active": "启用",
    "Locked out": "锁定至",
    "Enable / disable": "启用 / 停用",
    "Switch role": "切换角色",
    "new PIN": "新密码",
    "Reset PIN": "重置密码",
    "Add staff member": "添加员工",
    "PIN (4-8 digits)": "密码（4-8 位数字）",
    "yes": "是",
    "no": "否",
    "{name} updated.": "已更新 {name}。",
    "PIN of {name} reset.": "已重置 {name} 的密码。",
    # -- audit log ----------------------------------------------------------------------------
    "search text": "搜索内容",
    "Filter": "筛选",
    "When (UTC)": "时间（UTC）",
    "Who": "操作人",
    "Target": "对象",
    "Details": "详情",
    "all actions": "全部操作",
    "{count} entries": "{count} 条记录",
    "{count} entries written to {path}": "已将 {count} 条记录写入 {path}",
    # -- reports ------------------------------------------------------------------------------
    "Day report (Z report)": "日结报表（Z 报表）",
    "This till": "本收银台",
    "Whole store": "全店",
    "PDF": "导出 PDF",
    "CSV": "导出 CSV",
    "Day": "日期",
    "Member statement": "会员对账单",
    "card number or phone": "会员卡号或手机号",
    "Statement PDF": "对账单 PDF",
    "No member found for {text}.": "未找到会员：{text}。",
    "Overview: liability, tiers, top members": "概览：积分与储值负债、等级、消费排行",
    "Show charts": "显示图表",
    "Overview PDF": "概览 PDF",
    # -- help tab -----------------------------------------------------------------------------
    "Agreement and privacy texts": "会员协议与隐私声明",
    "Search the help, e.g. expire, refund, lost card": "搜索帮助，例如：过期、退款、挂失",
    "everyone": "全部",
    "members": "会员",
    "cashiers": "收银员",
    "Edit this answer (saved as a new version)": "编辑此回答（保存为新版本）",
    "Save new version": "保存为新版本",
    "Question": "问题",
    "Answer": "回答",
    "*Version {version}*": "*版本 {version}*",
    "Saved as version {version}.": "已保存为版本 {version}。",
    "new version label, e.g. 2027.1": "新版本号，例如 2027.1",
    "Publish new version": "发布新版本",
    "Version {version} published: new members accept it from now on.":
        "版本 {version} 已发布：此后新会员将接受此版本。",
    # -- tiers and program settings -----------------------------------------------------------
    "A member's tier follows their net spend over the evaluation window. The lowest tier "
    "starts at 0.00. Members move at their next sale or the nightly review.":
        "会员等级按评估期内的净消费确定。最低等级从 0.00 起。会员在下次消费或每晚复核时调整等级。",
    "Evaluation window": "评估期",
    " days": " 天",
    "Add tier": "添加等级",
    "Remove tier": "删除等级",
    "Preview members": "预览会员数",
    "Count how many members each tier would hold with these thresholds and window":
        "按这些门槛和评估期，统计每个等级将有多少会员",
    "Discard changes": "放弃修改",
    "Save tiers": "保存等级",
    "Code": "代码",
    "Spend from ({symbol})": "消费门槛（{symbol}）",
    "Multiplier": "积分倍数",
    "Pick the tier to remove first.": "请先选择要删除的等级。",
    "Row {row}: the tier needs a code.": "第 {row} 行：等级需要填写代码。",
    "Row {row}: enter the spend from which the tier starts (0.00 for the lowest tier).":
        "第 {row} 行：请输入该等级的起始消费额（最低等级为 0.00）。",
    "Row {row}: '{text}' is not an amount of money (digits and up to 2 decimals).":
        "第 {row} 行：“{text}”不是有效金额（数字，最多 2 位小数）。",
    "There must be at least one tier.": "至少需要一个等级。",
    "Row {row}: write the multiplier as 1.0, 1.25 or 2, not '{text}'.":
        "第 {row} 行：倍数请写成 1.0、1.25 或 2，而不是“{text}”。",
    "Counting members…": "正在统计会员…",
    "{total} members: the counts are where they would be with these tiers, as of now.":
        "共 {total} 位会员：以上为按这些等级截至目前的各级人数。",
    "Tiers saved. Members move to their new tier at their next sale or the nightly review.":
        "等级已保存。会员将在下次消费或每晚复核时调整到新等级。",
    "Program settings": "积分规则设置",
    "Save settings": "保存设置",
    " points": " 积分",
    "Earning": "获得积分",
    "Points per 1.00 spent": "每消费 1.00 得积分",
    "Points expire after": "积分有效期",
    " months": " 个月",
    "Refunded points last at least": "退还积分最短有效期",
    "Redeeming": "积分抵扣",
    "Points that pay 1.00": "抵扣 1.00 所需积分",
    "Points pay at most": "积分最多抵扣",
    "% of a sale": "% 订单额",
    "Most points in one sale": "单笔最多使用积分",
    "Referrals": "推荐奖励",
    "Reward for the referrer": "推荐人奖励",
    "Reward for the new member": "新会员奖励",
    "Qualifying first purchase": "首次消费门槛",
    "Money and stored value": "货币与储值",
    "Currency symbol": "货币符号",
    "Most stored value per member": "每位会员储值上限",
    "Offline spending per till": "单台离线储值上限",
    "Offline after no sync for": "未同步多久视为离线",
    " minutes": " 分钟",
    "Points for each 1.00 of eligible spend, before tier and promotion multipliers":
        "每 1.00 可积分消费所得积分（未计等级和促销倍数）",
    "Earned points expire this many months after the sale": "获得的积分在消费后满这么多个月到期",
    "Points given back by a refund never expire sooner than this":
        "退款退还的积分，有效期不短于此",
    "How many points pay for 1.00": "抵扣 1.00 需要多少积分",
    "The largest share of a sale that points may pay": "积分最多可抵扣订单金额的比例",
    "0: no limit beyond the share of the sale": "0：除订单比例外不另设上限",
    "Given when the new member makes a qualifying first purchase":
        "新会员首次消费达到门槛时发放",
    "The new member's first purchase must reach this for the referral rewards":
        "新会员首次消费须达到此金额才发放推荐奖励",
    "1 to 4 characters, e.g. ¥ or HK$": "1 到 4 个字符，例如 ¥ 或 HK$",
    "A member's stored value balance never goes above this": "会员的储值余额不能超过此金额",
    "Stored value a till may take while it cannot reach head office":
        "收银台连不上总部时最多可使用的储值金额",
    "A till that has not reached head office for this long counts as offline: its stored value "
    "spending is then capped":
        "收银台超过这么长时间未连上总部即视为离线，此时储值支付受限额约束",
    "e.g. ¥ or HK$": "例如 ¥ 或 HK$",
    "No limit": "不限",
    "{setting}: '{text}' is not an amount of money (digits and up to 2 decimals).":
        "{setting}：“{text}”不是有效金额（数字，最多 2 位小数）。",
    "Nothing to save: no setting was changed.": "无需保存：没有修改任何设置。",
    "Saved: {settings}.": "已保存：{settings}。",
    # -- promotions ---------------------------------------------------------------------------
    "Edit promotion": "编辑促销",
    "Try it": "试算",
    "Effect": "优惠方式",
    "Priority": "优先级",
    "Exclusive": "独占",
    "Enabled": "启用",
    "New": "新建",
    "Duplicate": "复制",
    "Disable": "停用",
    "Enable": "启用",
    "Delete": "删除",
    "Overlap warnings": "冲突提醒",
    "Overlap warnings ({count})": "冲突提醒（{count}）",
    "Yes": "是",
    "No": "否",
    "No exclusive promotions compete for the same basket.": "没有独占促销争用同一笔订单。",
    "x{factor} points": "积分 x{factor}",
    "+{points} points": "积分 +{points}",
    "{percent}% off": "减 {percent}%",
    "{amount} off": "立减 {amount}",
    "Dates: {start} to {end}": "日期：{start} 至 {end}",
    "Weekdays: {days}": "星期：{days}",
    "Hours: {start} to {end}": "时段：{start} 至 {end}",
    "Tiers: {tiers}": "等级：{tiers}",
    "Items: {skus}": "商品：{skus}",
    "Categories: {categories}": "品类：{categories}",
    "Basket of at least {amount}": "订单满 {amount}",
    "Only in the member's birthday month": "仅限会员生日当月",
    "Only on a member's first purchase": "仅限会员首次消费",
    "Every basket, every day": "所有订单，每天适用",
    "Save promotion": "保存促销",
    "e.g. WEEKEND10": "例如 WEEKEND10",
    "Shown on receipts and in reports": "显示在小票和报表上",
    "Points multiplier": "积分倍数",
    "Bonus points": "额外积分",
    "Percent discount": "百分比折扣",
    "Fixed discount": "固定金额立减",
    "Higher priority promotions are tried first": "优先级高的促销先计算",
    "Applies only when nothing has applied before it, and then nothing else applies":
        "仅当之前没有促销生效时适用；生效后其他促销都不再适用",
    "Value": "数值",
    "Until": "截止",
    "The last day it applies": "适用的最后一天",
    "Hours": "时段",
    "From the start time until just before the end time; an end before the start runs past "
    "midnight":
        "从开始时间起，到结束时间前为止；结束时间早于开始时间表示跨过午夜",
    "Weekdays (none ticked: every day)": "星期（都不勾选则每天适用）",
    "Who and what": "适用对象与商品",
    "e.g. dairy, fruit": "例如 乳制品, 水果",
    "Categories": "品类",
    "SKUs, e.g. RICE5, MILK1": "商品编码，例如 RICE5, MILK1",
    "Items": "商品",
    "0.00 (any basket)": "0.00（不限金额）",
    "Basket from": "订单满",
    "No tier ticked: every shopper, members or not. No items and no categories: every item.":
        "不勾选等级：所有顾客，无论是否会员。不指定商品和品类：所有商品。",
    "Mon": "周一",
    "Tue": "周二",
    "Wed": "周三",
    "Thu": "周四",
    "Fri": "周五",
    "Sat": "周六",
    "Sun": "周日",
    "e.g. x2.0 or 1.5": "例如 x2.0 或 1.5",
    "times the points": "倍积分",
    "e.g. 50": "例如 50",
    "extra points": "额外积分",
    "1 to 100": "1 到 100",
    "% off the matching items": "% 折扣（适用商品）",
    "e.g. 5.00": "例如 5.00",
    "{symbol} off the matching items": "{symbol} 立减（适用商品）",
    "{name} (copy)": "{name}（副本）",
    "A copy of {code}: change the code and what differs, then save.":
        "{code} 的副本：请修改代码和不同之处，然后保存。",
    "Promotion {code}": "促销 {code}",
    "New promotion": "新建促销",
    "A saved promotion keeps its code; duplicate it to make a new one":
        "已保存的促销不能改代码；如需新代码，请复制后再改",
    "Enter the value of the effect.": "请输入优惠数值。",
    "'{text}' is not a whole number.": "“{text}”不是整数。",
    "Write the multiplier as x2.0 or x1.25 (or as a percent, 200%), not '{text}'.":
        "倍数请写成 x2.0 或 x1.25（或百分比 200%），而不是“{text}”。",
    "Items: no product with SKU or barcode {code}.": "商品：没有编码或条码为 {code} 的商品。",
    "A promotion with code {code} exists: pick it in the list to change it, or choose another "
    "code.":
        "代码为 {code} 的促销已存在：请在列表中选中它进行修改，或换一个代码。",
    "Saved promotion {code}.": "已保存促销 {code}。",
    "Enabled {code}.": "已启用 {code}。",
    "Disabled {code}.": "已停用 {code}。",
    "Delete promotion": "删除促销",
    "Delete promotion {code} ({name})? A promotion that a sale has used cannot be deleted; "
    "disable it instead.":
        "删除促销 {code}（{name}）？已被交易使用过的促销不能删除，请改为停用。",
    "Deleted promotion {code}.": "已删除促销 {code}。",
    "Quote at": "试算时间",
    "Now": "现在",
    "With the unsaved edit": "包含未保存的修改",
    "Quote with the promotion as it is in the editor, before saving it":
        "按编辑器中尚未保存的促销进行试算",
    "Quote this basket": "试算此订单",
    "Enter a sample basket and a shopper, then quote it to see which promotions apply and why "
    "the others do not.":
        "输入示例商品和顾客，然后试算，查看哪些促销适用，以及其他促销为何不适用。",
    "Sample basket": "示例商品",
    "SKU or barcode": "商品编码或条码",
    "Add line": "添加一行",
    "Remove line": "删除一行",
    "Shopper": "顾客",
    "A member": "指定会员",
    "Any shopper of tier": "按等级",
    "Card or phone": "卡号或手机号",
    "Find": "查找",
    "Find the member first": "请先查找会员",
    "Birthday this month": "本月生日",
    "First purchase": "首次消费",
    "Choose the shopper's tier.": "请选择顾客的等级。",
    "Find the sample member first.": "请先查找示例会员。",
    "Net": "净额",
    "Quoted for {moment}": "试算时间：{moment}",
    "There are no promotions.": "没有促销。",
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
    ("MembersTab", "Points"): "积分余额",
    ("MembersTab", "Stored value"): "储值余额",
    ("HistoryDialog", "Balance"): "余额",
    ("HistoryDialog", "Tiers"): "等级变更",
    ("HistoryDialog", "From"): "原等级",
    ("HistoryDialog", "To"): "新等级",
    ("ProgramTab", "Tiers"): "会员等级",
    ("ProgramTab", "Name"): "名称",
    ("ProgramTab", "Members"): "会员数",
    ("PromotionsTab", "Name"): "名称",
    ("PromotionsTab", "When"): "适用时间",
    ("PromotionsTab", "No member"): "非会员",
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
