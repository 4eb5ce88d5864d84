<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AdjustPointsDialog</name>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="174"/>
        <source>Adjust points</source>
        <translation>调整积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="176"/>
        <source>Member</source>
        <translation>会员</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="179"/>
        <source>e.g. 200 or -50</source>
        <translation>例如 200 或 -50</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="183"/>
        <source>Points</source>
        <translation>调整积分数</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="184"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="186"/>
        <source>Adjust</source>
        <translation>确认调整</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="193"/>
        <source>Points must be a whole number.</source>
        <translation>积分必须是整数。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="196"/>
        <source>Enter points other than 0 and a reason.</source>
        <translation>请输入不为 0 的积分并填写原因。</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <location filename="../../loyalty_pos/ui/first_run.py" line="37"/>
        <source>Set up this till</source>
        <translation>设置本收银台</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/first_run.py" line="41"/>
        <source>This till has no store yet. Create the demo store to try the till, or set up your own store and first manager.</source>
        <translation>本收银台还没有门店。可以创建演示门店来试用，或者设置您自己的门店和第一位店长。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/first_run.py" line="44"/>
        <source>Create the demo store</source>
        <translation>创建演示门店</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/first_run.py" line="71"/>
        <source>Store code</source>
        <translation>门店编号</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/first_run.py" line="72"/>
        <source>Store name</source>
        <translation>门店名称</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/first_run.py" line="73"/>
        <source>Till number (unique in the chain)</source>
        <translation>收银台号（全连锁唯一）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/first_run.py" line="74"/>
        <source>Manager name</source>
        <translation>店长姓名</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/first_run.py" line="75"/>
        <source>Manager PIN (4-8 digits)</source>
        <translation>店长密码（4-8 位数字）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/first_run.py" line="78"/>
        <source>Set up my store</source>
        <translation>设置我的门店</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/first_run.py" line="80"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/first_run.py" line="109"/>
        <source>Till {n}</source>
        <translation>{n} 号收银台</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/first_run.py" line="113"/>
        <source>Fill in the store and the manager.</source>
        <translation>请填写门店和店长信息。</translation>
    </message>
</context>
<context>
    <name>ManagerPinDialog</name>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="139"/>
        <source>Manager approval</source>
        <translation>店长授权</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="143"/>
        <source>A manager must approve: {action}</source>
        <translation>此操作需要店长授权：{action}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="154"/>
        <source>Manager</source>
        <translation>店长</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="155"/>
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="157"/>
        <source>Approve</source>
        <translation>授权</translation>
    </message>
</context>
<context>
    <name>MemberPanel</name>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="27"/>
        <source>Tier</source>
        <translation>会员等级</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="27"/>
        <source>Points</source>
        <translation>积分余额</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="28"/>
        <source>Stored value</source>
        <translation>储值余额</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="28"/>
        <source>Soonest expiry</source>
        <translation>最近到期积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="29"/>
        <source>Consent</source>
        <translation>协议与授权</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="29"/>
        <source>Card</source>
        <translation>会员卡号</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="47"/>
        <source>No member</source>
        <translation>未关联会员</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="51"/>
        <source>Scan a member card or press F2 to find a member.</source>
        <translation>请扫描会员卡，或按 F2 查找会员。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="59"/>
        <source>{points} on {date}</source>
        <translation>{points} 分于 {date} 到期</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="68"/>
        <source>agreed</source>
        <translation>已同意</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="68"/>
        <source>MISSING</source>
        <translation>缺失</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="69"/>
        <source>marketing yes</source>
        <translation>接收营销信息</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="69"/>
        <source>marketing no</source>
        <translation>不接收营销信息</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="70"/>
        <source>Why this tier: {reason}</source>
        <translation>等级依据：{reason}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="76"/>
        <source>Card {card} is BLOCKED (reported lost). Do not accept it; the member can get a new card from a manager.</source>
        <translation>会员卡 {card} 已冻结（已挂失）。请勿受理此卡；会员可找店长补办新卡。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="80"/>
        <source>suspended</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="81"/>
        <source>Membership is {status}: no points or stored value.</source>
        <translation>会员状态为 {status}：不能使用积分或储值。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="84"/>
        <source>Points balance is negative after a refund; new points settle it first.</source>
        <translation>退款后积分余额为负数；新获得的积分将先用于抵扣。</translation>
    </message>
</context>
<context>
    <name>MemberSearchDialog</name>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="45"/>
        <source>Find member</source>
        <translation>查找会员</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="52"/>
        <source>Phone number or part of the name</source>
        <translation>手机号或部分姓名</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="63"/>
        <source>Attach member</source>
        <translation>关联会员</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="79"/>
        <source>{points} pts</source>
        <translation>{points} 积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="85"/>
        <source>{count} found</source>
        <translation>找到 {count} 位会员</translation>
    </message>
</context>
<context>
    <name>PaymentDialog</name>
    <message>
        <location filename="../../loyalty_pos/ui/payment.py" line="38"/>
        <source>Payment</source>
        <translation>收款</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/payment.py" line="45"/>
        <source>Total</source>
        <translation>应付合计</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/payment.py" line="50"/>
        <source>Points to redeem</source>
        <translation>兑换积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/payment.py" line="51"/>
        <source>Points pay</source>
        <translation>积分抵扣</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/payment.py" line="52"/>
        <source>Stored value</source>
        <translation>储值支付</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/payment.py" line="53"/>
        <source>Card terminal</source>
        <translation>刷卡</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/payment.py" line="56"/>
        <source>terminal reference</source>
        <translation>刷卡终端参考号</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/payment.py" line="57"/>
        <source>Card reference</source>
        <translation>刷卡参考号</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/payment.py" line="58"/>
        <source>Cash tendered</source>
        <translation>实收现金</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/payment.py" line="65"/>
        <source>Cash due</source>
        <translation>应收现金</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/payment.py" line="66"/>
        <source>Change</source>
        <translation>找零</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/payment.py" line="67"/>
        <source>Points to earn</source>
        <translation>本单可得积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/payment.py" line="71"/>
        <source>Complete sale (Enter)</source>
        <translation>完成收款（Enter）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/payment.py" line="75"/>
        <source>Back (Esc)</source>
        <translation>返回（Esc）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/payment.py" line="103"/>
        <source> of {limit} allowed</source>
        <translation> / 最多可用 {limit}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/payment.py" line="138"/>
        <source>Stored value needs a member.</source>
        <translation>使用储值支付需要先关联会员。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/payment.py" line="140"/>
        <source>Stored value balance is only {amount}.</source>
        <translation>储值余额只有 {amount}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/payment.py" line="143"/>
        <source>Stored value and card pay more than is due.</source>
        <translation>储值和刷卡金额超过了应付金额。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/payment.py" line="145"/>
        <source>Enter the card terminal&apos;s reference.</source>
        <translation>请输入刷卡参考号。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/payment.py" line="147"/>
        <source>Cash tendered is short by {amount}.</source>
        <translation>实收现金还差 {amount}。</translation>
    </message>
</context>
<context>
    <name>RefundDialog</name>
    <message>
        <location filename="../../loyalty_pos/ui/refund_dialog.py" line="31"/>
        <source>Refund</source>
        <translation>退款</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/refund_dialog.py" line="39"/>
        <source>Scan or type the receipt number (R…)</source>
        <translation>扫描或输入小票号（R…）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/refund_dialog.py" line="41"/>
        <source>Open</source>
        <translation>调取小票</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/refund_dialog.py" line="49"/>
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/refund_dialog.py" line="49"/>
        <source>Sold</source>
        <translation>已售数量</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/refund_dialog.py" line="49"/>
        <source>Refundable</source>
        <translation>可退数量</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/refund_dialog.py" line="49"/>
        <source>Refund qty</source>
        <translation>退货数量</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/refund_dialog.py" line="55"/>
        <source>Confirm refund</source>
        <translation>确认退款</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/refund_dialog.py" line="60"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/refund_dialog.py" line="108"/>
        <source>Refund {amount}: cash {cash}, card {card}, stored value back {stored}.
Points taken back: {taken}. Points given back: {given}.</source>
        <translation>退款 {amount}：现金 {cash}，银行卡 {card}，退回储值 {stored}。
扣回积分：{taken}。退还积分：{given}。</translation>
    </message>
</context>
<context>
    <name>SaleScreen</name>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="75"/>
        <source>Scan or type a barcode, card or receipt number</source>
        <translation>扫描或输入商品条码、会员卡号或小票号</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="80"/>
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="80"/>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="80"/>
        <source>Price</source>
        <translation>单价</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="81"/>
        <source>Discount</source>
        <translation>优惠</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="81"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="117"/>
        <source>Subtotal</source>
        <translation>小计</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="118"/>
        <source>Discounts</source>
        <translation>优惠</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="119"/>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="129"/>
        <source>Find member</source>
        <translation>查找会员</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="130"/>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="262"/>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="131"/>
        <source>Void line</source>
        <translation>删除商品</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="132"/>
        <source>Detach member</source>
        <translation>移除会员</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="133"/>
        <source>Top up</source>
        <translation>充值</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="134"/>
        <source>Refund</source>
        <translation>退款</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="135"/>
        <source>Reprint</source>
        <translation>重打小票</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="136"/>
        <source>Cancel sale</source>
        <translation>取消交易</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="137"/>
        <source>Adjust points</source>
        <translation>调整积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="138"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="139"/>
        <source>Sign out</source>
        <translation>签退</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="140"/>
        <source>Pay</source>
        <translation>结账</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="155"/>
        <source>Signed in as {name}.</source>
        <translation>已登录：{name}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="192"/>
        <source>Points to earn: {points} ({why})</source>
        <translation>本单可得积分：{points}（{why}）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="220"/>
        <source>Unknown code {code}: nothing was changed.</source>
        <translation>无法识别的条码 {code}：未做任何更改。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="229"/>
        <source>{name} added.</source>
        <translation>已添加 {name}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="235"/>
        <source>This card cannot be used: see the member panel.</source>
        <translation>此卡不能使用：请查看会员信息栏。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="241"/>
        <source>Member {name} attached.</source>
        <translation>已关联会员 {name}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="262"/>
        <source>New quantity</source>
        <translation>新数量</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="273"/>
        <source>Line voided.</source>
        <translation>已删除该商品。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="279"/>
        <source>Sale cancelled: nothing was recorded.</source>
        <translation>交易已取消：未记录任何内容。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="310"/>
        <source>Sale {receipt} complete. Change {change}.</source>
        <translation>交易 {receipt} 已完成。找零 {change}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="313"/>
        <source>{name}: +{earned} points, balance {points}.</source>
        <translation>{name}：积分 +{earned}，积分余额 {points}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="323"/>
        <source>Unexpected error: {error}</source>
        <translation>意外错误：{error}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="345"/>
        <source>The receipt could not be printed ({error}); the sale is saved. Use Reprint (F8).</source>
        <translation>小票打印失败（{error}）；交易已保存。请按“重打小票”（F8）。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="352"/>
        <source>No receipt to reprint yet.</source>
        <translation>还没有可以重打的小票。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="374"/>
        <source>Refund {receipt}: pay back {cash} cash, {card} to card; stored value +{stored}; points -{taken} / +{given}.</source>
        <translation>退款 {receipt}：退现金 {cash}，退回银行卡 {card}；储值 +{stored}；积分 -{taken} / +{given}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="385"/>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="401"/>
        <source>Attach a member first (scan the card or press F2).</source>
        <translation>请先关联会员（扫描会员卡或按 F2）。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="406"/>
        <source>adjust points</source>
        <translation>调整积分</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../loyalty_pos/ui/settings_dialog.py" line="37"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/settings_dialog.py" line="55"/>
        <source>Barcode scanner (serial port)</source>
        <translation>扫码枪（串口）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/settings_dialog.py" line="59"/>
        <source>e.g. /dev/ttyUSB0 or COM3; empty = none</source>
        <translation>例如 /dev/ttyUSB0 或 COM3；留空表示不使用</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/settings_dialog.py" line="64"/>
        <source>None</source>
        <translation>无校验</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/settings_dialog.py" line="64"/>
        <source>Even</source>
        <translation>偶校验</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/settings_dialog.py" line="65"/>
        <source>Odd</source>
        <translation>奇校验</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/settings_dialog.py" line="71"/>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/settings_dialog.py" line="71"/>
        <source>Baud rate</source>
        <translation>波特率</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/settings_dialog.py" line="72"/>
        <source>Data bits</source>
        <translation>数据位</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/settings_dialog.py" line="73"/>
        <source>Parity</source>
        <translation>校验位</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/settings_dialog.py" line="74"/>
        <source>Stop bits</source>
        <translation>停止位</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/settings_dialog.py" line="75"/>
        <source>Suffix</source>
        <translation>后缀</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/settings_dialog.py" line="75"/>
        <source>Prefix</source>
        <translation>前缀</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/settings_dialog.py" line="81"/>
        <source>Receipt printer</source>
        <translation>小票打印机</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/settings_dialog.py" line="84"/>
        <source>PDF file (no printer)</source>
        <translation>PDF 文件（不接打印机）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/settings_dialog.py" line="85"/>
        <source>ESC/POS on serial port</source>
        <translation>ESC/POS 串口打印机</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/settings_dialog.py" line="86"/>
        <source>ESC/POS on network</source>
        <translation>ESC/POS 网络打印机</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/settings_dialog.py" line="89"/>
        <source>/dev/ttyS0@19200 or 192.168.1.50:9100</source>
        <translation>/dev/ttyS0@19200 或 192.168.1.50:9100</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/settings_dialog.py" line="90"/>
        <source>Printer</source>
        <translation>打印机</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/settings_dialog.py" line="91"/>
        <source>Device or address</source>
        <translation>设备或地址</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/settings_dialog.py" line="95"/>
        <location filename="../../loyalty_pos/ui/settings_dialog.py" line="99"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
</context>
<context>
    <name>SignInScreen</name>
    <message>
        <location filename="../../loyalty_pos/ui/signin.py" line="36"/>
        <source>Who is signing in?</source>
        <translation>请选择登录人员</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/signin.py" line="44"/>
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/signin.py" line="59"/>
        <location filename="../../loyalty_pos/ui/signin.py" line="70"/>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/signin.py" line="81"/>
        <source>manager</source>
        <translation>店长</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/signin.py" line="81"/>
        <source>cashier</source>
        <translation>收银员</translation>
    </message>
</context>
<context>
    <name>TillWindow</name>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="70"/>
        <source>Loyalty POS {version} — {store}</source>
        <translation>会员收银系统 {version} — {store}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="120"/>
        <source>Scanner connected</source>
        <translation>扫码枪已连接</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="121"/>
        <source>Scanner DISCONNECTED — reconnecting</source>
        <translation>扫码枪已断开 — 正在重新连接</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="122"/>
        <source>Scanner stopped</source>
        <translation>扫码枪已停止</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="123"/>
        <source>No serial scanner (keyboard scanners work)</source>
        <translation>未配置串口扫码枪（USB 键盘式扫码枪可用）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="142"/>
        <source>Cashier: {name}</source>
        <translation>收银员：{name}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="143"/>
        <source>Signed out</source>
        <translation>未登录</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="145"/>
        <source>Sync: {count} waiting to send</source>
        <translation>同步：{count} 条待上传</translation>
    </message>
</context>
<context>
    <name>TopUpDialog</name>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="101"/>
        <source>Top up stored value</source>
        <translation>储值充值</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="104"/>
        <source>Member</source>
        <translation>会员</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="105"/>
        <source>Balance</source>
        <translation>储值余额</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="111"/>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="112"/>
        <source>Card terminal</source>
        <translation>刷卡</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="116"/>
        <source>Amount</source>
        <translation>充值金额</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="117"/>
        <source>Paid by</source>
        <translation>支付方式</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="118"/>
        <source>Card reference</source>
        <translation>刷卡参考号</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="120"/>
        <source>Top up</source>
        <translation>确认充值</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="129"/>
        <source>Enter an amount above zero.</source>
        <translation>请输入大于零的金额。</translation>
    </message>
</context>
<context>
    <name>dialogs</name>
    <message>
        <location filename="../../loyalty_pos/ui/dialogs.py" line="33"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
</TS>
