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
    <name>AuditTab</name>
    <message>
        <location filename="../../loyalty_pos/ui/manager/audit_tab.py" line="44"/>
        <source>search text</source>
        <translation>搜索内容</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/audit_tab.py" line="45"/>
        <source>Filter</source>
        <translation>筛选</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/audit_tab.py" line="48"/>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/audit_tab.py" line="56"/>
        <source>When (UTC)</source>
        <translation>时间（UTC）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/audit_tab.py" line="56"/>
        <source>Who</source>
        <translation>操作人</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/audit_tab.py" line="57"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/audit_tab.py" line="57"/>
        <source>Target</source>
        <translation>对象</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/audit_tab.py" line="58"/>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/audit_tab.py" line="70"/>
        <source>all actions</source>
        <translation>全部操作</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/audit_tab.py" line="90"/>
        <source>{count} entries</source>
        <translation>{count} 条记录</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/audit_tab.py" line="101"/>
        <source>{count} entries written to {path}</source>
        <translation>已将 {count} 条记录写入 {path}</translation>
    </message>
</context>
<context>
    <name>EnrolDialog</name>
    <message>
        <location filename="../../loyalty_pos/ui/manager/enrol_dialog.py" line="39"/>
        <source>Enrol a member</source>
        <translation>会员注册</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/enrol_dialog.py" line="58"/>
        <source>Enrol and issue card</source>
        <translation>注册并发卡</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/enrol_dialog.py" line="61"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/enrol_dialog.py" line="72"/>
        <source>mobile number, digits</source>
        <translation>手机号，仅限数字</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/enrol_dialog.py" line="75"/>
        <source>Birthday known</source>
        <translation>填写生日</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/enrol_dialog.py" line="89"/>
        <source>optional: a member&apos;s referral code</source>
        <translation>选填：推荐人的推荐码</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/enrol_dialog.py" line="91"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/enrol_dialog.py" line="91"/>
        <source>Phone</source>
        <translation>手机号</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/enrol_dialog.py" line="92"/>
        <source>Email</source>
        <translation>邮箱</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/enrol_dialog.py" line="94"/>
        <source>Birthday</source>
        <translation>生日</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/enrol_dialog.py" line="95"/>
        <source>Referral code</source>
        <translation>推荐码</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/enrol_dialog.py" line="96"/>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/enrol_dialog.py" line="103"/>
        <source>Member agreement</source>
        <translation>会员协议</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/enrol_dialog.py" line="104"/>
        <source>Privacy statement</source>
        <translation>隐私声明</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/enrol_dialog.py" line="108"/>
        <source>{title} (version {version})</source>
        <translation>{title}（版本 {version}）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/enrol_dialog.py" line="116"/>
        <source>The member has read and accepts the member agreement (version {v})</source>
        <translation>会员已阅读并接受会员协议（版本 {v}）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/enrol_dialog.py" line="120"/>
        <source>The member has read and accepts the privacy statement (version {v})</source>
        <translation>会员已阅读并接受隐私声明（版本 {v}）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/enrol_dialog.py" line="124"/>
        <source>The member agrees to receive marketing (optional, separate consent)</source>
        <translation>会员同意接收营销信息（选填，单独授权）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/enrol_dialog.py" line="140"/>
        <source>Already a member:</source>
        <translation>已是会员：</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/enrol_dialog.py" line="163"/>
        <source>Enter a phone number or an email address.</source>
        <translation>请输入手机号或邮箱。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/enrol_dialog.py" line="165"/>
        <source>This phone or email already belongs to a member.</source>
        <translation>该手机号或邮箱已属于一位会员。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/enrol_dialog.py" line="167"/>
        <source>The member must accept the agreement and the privacy statement.</source>
        <translation>会员必须接受会员协议和隐私声明。</translation>
    </message>
</context>
<context>
    <name>EraseDialog</name>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="168"/>
        <source>Erase personal data</source>
        <translation>删除个人信息</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="171"/>
        <source>Erase the personal data of {name} on the member&apos;s request? Name, phone, email, birthday and notes are removed for good; the amounts of past points and stored value stay so the books still balance. Stored value still owed: {owed}.</source>
        <translation>应会员本人要求删除 {name} 的个人信息？姓名、手机号、邮箱、生日和备注将被永久删除；以往的积分和储值金额会保留，以保证账目平衡。尚欠会员的储值：{owed}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="181"/>
        <source>Reason (request reference)</source>
        <translation>原因（申请编号）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="182"/>
        <source>Type ERASE to confirm</source>
        <translation>输入 ERASE 确认</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="192"/>
        <source>Give a reason and type ERASE.</source>
        <translation>请填写原因并输入 ERASE。</translation>
    </message>
</context>
<context>
    <name>FaqBrowser</name>
    <message>
        <location filename="../../loyalty_pos/ui/help_dialog.py" line="36"/>
        <source>Search the help, e.g. expire, refund, lost card</source>
        <translation>搜索帮助，例如：过期、退款、挂失</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/help_dialog.py" line="40"/>
        <source>everyone</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/help_dialog.py" line="41"/>
        <source>members</source>
        <translation>会员</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/help_dialog.py" line="42"/>
        <source>cashiers</source>
        <translation>收银员</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/help_dialog.py" line="77"/>
        <source>Nothing found.</source>
        <translation>未找到相关内容。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/help_dialog.py" line="84"/>
        <source>*Version {version}*</source>
        <translation>*版本 {version}*</translation>
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
    <name>HelpDialog</name>
    <message>
        <location filename="../../loyalty_pos/ui/help_dialog.py" line="93"/>
        <source>Help</source>
        <translation>帮助</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/help_dialog.py" line="97"/>
        <source>Questions and answers</source>
        <translation>常见问题</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/help_dialog.py" line="98"/>
        <source>Member agreement</source>
        <translation>会员协议</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/help_dialog.py" line="99"/>
        <source>Privacy statement</source>
        <translation>隐私声明</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/help_dialog.py" line="102"/>
        <source>Not published yet.</source>
        <translation>尚未发布。</translation>
    </message>
</context>
<context>
    <name>HelpTab</name>
    <message>
        <location filename="../../loyalty_pos/ui/manager/help_tab.py" line="39"/>
        <source>Questions and answers</source>
        <translation>常见问题</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/help_tab.py" line="40"/>
        <source>Agreement and privacy texts</source>
        <translation>会员协议与隐私声明</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/help_tab.py" line="56"/>
        <source>Edit this answer (saved as a new version)</source>
        <translation>编辑此回答（保存为新版本）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/help_tab.py" line="62"/>
        <source>Save new version</source>
        <translation>保存为新版本</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/help_tab.py" line="65"/>
        <source>Question</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/help_tab.py" line="66"/>
        <source>Answer</source>
        <translation>回答</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/help_tab.py" line="89"/>
        <source>Saved as version {version}.</source>
        <translation>已保存为版本 {version}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/help_tab.py" line="99"/>
        <source>Member agreement</source>
        <translation>会员协议</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/help_tab.py" line="100"/>
        <source>Privacy statement</source>
        <translation>隐私声明</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/help_tab.py" line="106"/>
        <source>new version label, e.g. 2027.1</source>
        <translation>新版本号，例如 2027.1</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/help_tab.py" line="109"/>
        <source>Publish new version</source>
        <translation>发布新版本</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/help_tab.py" line="127"/>
        <source>Not published yet.</source>
        <translation>尚未发布。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/help_tab.py" line="140"/>
        <source>Version {version} published: new members accept it from now on.</source>
        <translation>版本 {version} 已发布：此后新会员将接受此版本。</translation>
    </message>
</context>
<context>
    <name>HistoryDialog</name>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="57"/>
        <source>History of {name}</source>
        <translation>{name} 的历史记录</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="63"/>
        <source>Sales</source>
        <translation>消费</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="63"/>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="67"/>
        <source>Receipt</source>
        <translation>小票号</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="63"/>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="67"/>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="72"/>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="77"/>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="81"/>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="84"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="63"/>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="64"/>
        <source>Points earned</source>
        <translation>获得积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="64"/>
        <source>Points redeemed</source>
        <translation>兑换积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="67"/>
        <source>Refunds</source>
        <translation>退款</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="67"/>
        <source>Of sale</source>
        <translation>原小票</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="68"/>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="77"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="68"/>
        <source>Points back</source>
        <translation>扣回积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="69"/>
        <source>Points returned</source>
        <translation>退还积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="72"/>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="72"/>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="77"/>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="84"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="73"/>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="78"/>
        <source>Balance</source>
        <translation>余额</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="73"/>
        <source>Expires</source>
        <translation>到期日</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="73"/>
        <source>Left in lot</source>
        <translation>本批剩余</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="74"/>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="78"/>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="82"/>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="89"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="77"/>
        <source>Stored value</source>
        <translation>储值</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="81"/>
        <source>Tiers</source>
        <translation>等级变更</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="81"/>
        <source>From</source>
        <translation>原等级</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="81"/>
        <source>To</source>
        <translation>新等级</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="84"/>
        <source>Consents</source>
        <translation>协议与授权</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="84"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="85"/>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="85"/>
        <source>Till</source>
        <translation>收银台</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="85"/>
        <source>Staff</source>
        <translation>员工</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="88"/>
        <source>Cards</source>
        <translation>会员卡</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="88"/>
        <source>Number</source>
        <translation>卡号</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="88"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="88"/>
        <source>Issued</source>
        <translation>发卡时间</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="89"/>
        <source>Blocked</source>
        <translation>冻结时间</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="209"/>
        <source>Import members from CSV</source>
        <translation>从 CSV 导入会员</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="216"/>
        <source>Choose file…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="218"/>
        <source>Read columns</source>
        <translation>读取列</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="232"/>
        <source>These members accepted the current member agreement and privacy statement</source>
        <translation>这些会员已接受当前的会员协议和隐私声明</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="238"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="241"/>
        <source>Cancel import</source>
        <translation>取消导入</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="258"/>
        <source>CSV file</source>
        <translation>CSV 文件</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="273"/>
        <source>(not in the file)</source>
        <translation>（文件中没有）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="301"/>
        <source>Cancelled: nothing was imported.</source>
        <translation>已取消：未导入任何会员。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="303"/>
        <source>{count} problem(s): nothing was imported.</source>
        <translation>发现 {count} 个问题：未导入任何会员。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="306"/>
        <source>row {row}, {field} &apos;{value}&apos;: {message}</source>
        <translation>第 {row} 行，{field}“{value}”：{message}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="309"/>
        <source>{count} members imported.</source>
        <translation>已导入 {count} 位会员。</translation>
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
    <name>ManagerScreen</name>
    <message>
        <location filename="../../loyalty_pos/ui/manager/manager_screen.py" line="29"/>
        <source>Manager: {name}</source>
        <translation>店长：{name}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/manager_screen.py" line="31"/>
        <source>Back to the till</source>
        <translation>返回收银</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/manager_screen.py" line="45"/>
        <source>Members</source>
        <translation>会员</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/manager_screen.py" line="46"/>
        <source>Promotions</source>
        <translation>促销</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/manager_screen.py" line="47"/>
        <source>Tiers and program</source>
        <translation>等级与规则</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/manager_screen.py" line="48"/>
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/manager_screen.py" line="49"/>
        <source>Staff</source>
        <translation>员工</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/manager_screen.py" line="50"/>
        <source>Audit log</source>
        <translation>审计日志</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/manager_screen.py" line="51"/>
        <source>Help</source>
        <translation>帮助</translation>
    </message>
</context>
<context>
    <name>MemberEditDialog</name>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_edit_dialog.py" line="25"/>
        <source>Edit member</source>
        <translation>编辑会员资料</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_edit_dialog.py" line="34"/>
        <source>Birthday known</source>
        <translation>填写生日</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_edit_dialog.py" line="47"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_edit_dialog.py" line="47"/>
        <source>Phone</source>
        <translation>手机号</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_edit_dialog.py" line="48"/>
        <source>Email</source>
        <translation>邮箱</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_edit_dialog.py" line="49"/>
        <source>Birthday</source>
        <translation>生日</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_edit_dialog.py" line="50"/>
        <source>Notes</source>
        <translation>备注</translation>
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
        <location filename="../../loyalty_pos/ui/member_panel.py" line="73"/>
        <source>agreed</source>
        <translation>已同意</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="73"/>
        <source>MISSING</source>
        <translation>缺失</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="74"/>
        <source>marketing yes</source>
        <translation>接收营销信息</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="74"/>
        <source>marketing no</source>
        <translation>不接收营销信息</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="75"/>
        <source>Why this tier: {reason}</source>
        <translation>等级依据：{reason}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="80"/>
        <source>Card {card} is BLOCKED (reported lost). Do not accept it; the member can get a new card from a manager.</source>
        <translation>会员卡 {card} 已冻结（已挂失）。请勿受理此卡；会员可找店长补办新卡。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="84"/>
        <source>suspended</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="85"/>
        <source>Membership is {status}: no points or stored value.</source>
        <translation>会员状态为 {status}：不能使用积分或储值。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/member_panel.py" line="88"/>
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
    <name>MembersTab</name>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="58"/>
        <source>Card number, phone or part of the name</source>
        <translation>会员卡号、手机号或部分姓名</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="66"/>
        <source>Enrol new member</source>
        <translation>注册新会员</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="70"/>
        <source>Card sheet of the list</source>
        <translation>批量打印会员卡</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="76"/>
        <source>Import CSV…</source>
        <translation>导入 CSV…</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="79"/>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="109"/>
        <source>Edit details</source>
        <translation>编辑资料</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="110"/>
        <source>Block card, issue new</source>
        <translation>挂失并补卡</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="111"/>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="245"/>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="250"/>
        <source>Adjust points</source>
        <translation>调整积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="112"/>
        <source>Marketing on/off</source>
        <translation>营销信息开/关</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="113"/>
        <source>Print card (PDF)</source>
        <translation>打印会员卡（PDF）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="114"/>
        <source>Electronic card</source>
        <translation>电子会员卡</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="115"/>
        <source>History</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="116"/>
        <source>Merge duplicate…</source>
        <translation>合并重复会员…</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="117"/>
        <source>Export data (privacy)</source>
        <translation>导出个人数据（隐私）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="118"/>
        <source>Erase (privacy)…</source>
        <translation>删除个人信息（隐私）…</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="165"/>
        <source>active</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="165"/>
        <source>suspended</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="166"/>
        <source>erased</source>
        <translation>已删除</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="166"/>
        <source>merged</source>
        <translation>已合并</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="167"/>
        <source>blocked</source>
        <translation>已挂失</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="167"/>
        <source>Member agreement</source>
        <translation>会员协议</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="168"/>
        <source>Privacy statement</source>
        <translation>隐私声明</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="168"/>
        <source>Marketing</source>
        <translation>营销信息</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="169"/>
        <source>opted in</source>
        <translation>已订阅</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="169"/>
        <source>withdrawn</source>
        <translation>已撤回</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="171"/>
        <source>accepted {version}</source>
        <translation>已同意 {version}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="179"/>
        <source>Phone</source>
        <translation>手机号</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="179"/>
        <source>Email</source>
        <translation>邮箱</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="180"/>
        <source>Birthday</source>
        <translation>生日</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="181"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="181"/>
        <source>Tier</source>
        <translation>会员等级</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="182"/>
        <source>Points</source>
        <translation>积分余额</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="183"/>
        <source>Stored value</source>
        <translation>储值余额</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="184"/>
        <source>Soonest expiry</source>
        <translation>最近到期积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="186"/>
        <source>Referral code</source>
        <translation>推荐码</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="187"/>
        <source>Consents</source>
        <translation>协议与授权</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="187"/>
        <source>Cards</source>
        <translation>会员卡</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="188"/>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="190"/>
        <source>Why this tier: {reason}</source>
        <translation>等级依据：{reason}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="215"/>
        <source>Enrolled {name}; card {card}.</source>
        <translation>已注册会员 {name}；卡号 {card}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="226"/>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="231"/>
        <source>Block card</source>
        <translation>挂失会员卡</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="232"/>
        <source>Why is card {card} blocked (lost, stolen, damaged)?</source>
        <translation>会员卡 {card} 的挂失原因（遗失、被盗、损坏）？</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="239"/>
        <source>Card {old} blocked; new card {new}. Balances stay with the member.</source>
        <translation>会员卡 {old} 已冻结；新卡号 {new}。积分和储值余额仍归该会员。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="246"/>
        <source>Points to add (negative to take away)</source>
        <translation>增加的积分（负数为扣减）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="250"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="270"/>
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="299"/>
        <source>Search for the members whose cards to print first.</source>
        <translation>请先搜索要打印会员卡的会员。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="327"/>
        <source>Merged into {name}.</source>
        <translation>已合并到 {name}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/members_tab.py" line="358"/>
        <source>Personal data erased.</source>
        <translation>个人信息已删除。</translation>
    </message>
</context>
<context>
    <name>MergeDialog</name>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="108"/>
        <source>Merge two records of one person</source>
        <translation>合并同一人的两条会员记录</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="113"/>
        <source>Keep</source>
        <translation>保留</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="119"/>
        <source>card number or phone of the other record</source>
        <translation>另一条记录的会员卡号或手机号</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="126"/>
        <source>Merge in</source>
        <translation>并入</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="128"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="129"/>
        <source>Points (with their expiry dates) and stored value move to the kept member as new ledger entries; the other record&apos;s cards are blocked.</source>
        <translation>积分（连同到期日）和储值将以新的账目记录转入保留的会员；另一条记录的会员卡将被冻结。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="134"/>
        <source>Merge</source>
        <translation>合并</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="136"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="148"/>
        <source>not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="155"/>
        <source>Find the other record of this person first.</source>
        <translation>请先找到此人的另一条记录。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/member_dialogs.py" line="158"/>
        <source>Give a reason.</source>
        <translation>请填写原因。</translation>
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
    <name>ProgramTab</name>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="80"/>
        <source>Tiers</source>
        <translation>会员等级</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="85"/>
        <source>A member&apos;s tier follows their net spend over the evaluation window. The lowest tier starts at 0.00. Members move at their next sale or the nightly review.</source>
        <translation>会员等级按评估期内的净消费确定。最低等级从 0.00 起。会员在下次消费或每晚复核时调整等级。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="92"/>
        <source>Evaluation window</source>
        <translation>评估期</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="96"/>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="360"/>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="104"/>
        <source>Add tier</source>
        <translation>添加等级</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="105"/>
        <source>Remove tier</source>
        <translation>删除等级</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="107"/>
        <source>Preview members</source>
        <translation>预览会员数</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="109"/>
        <source>Count how many members each tier would hold with these thresholds and window</source>
        <translation>按这些门槛和评估期，统计每个等级将有多少会员</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="118"/>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="343"/>
        <source>Discard changes</source>
        <translation>放弃修改</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="120"/>
        <source>Save tiers</source>
        <translation>保存等级</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="152"/>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="152"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="153"/>
        <source>Spend from ({symbol})</source>
        <translation>消费门槛（{symbol}）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="154"/>
        <source>Multiplier</source>
        <translation>积分倍数</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="154"/>
        <source>Members</source>
        <translation>会员数</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="192"/>
        <source>Pick the tier to remove first.</source>
        <translation>请先选择要删除的等级。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="224"/>
        <source>Row {row}: the tier needs a code.</source>
        <translation>第 {row} 行：等级需要填写代码。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="228"/>
        <source>Row {row}: enter the spend from which the tier starts (0.00 for the lowest tier).</source>
        <translation>第 {row} 行：请输入该等级的起始消费额（最低等级为 0.00）。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="234"/>
        <source>Row {row}: &apos;{text}&apos; is not an amount of money (digits and up to 2 decimals).</source>
        <translation>第 {row} 行：“{text}”不是有效金额（数字，最多 2 位小数）。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="239"/>
        <source>There must be at least one tier.</source>
        <translation>至少需要一个等级。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="249"/>
        <source>Row {row}: write the multiplier as 1.0, 1.25 or 2, not &apos;{text}&apos;.</source>
        <translation>第 {row} 行：倍数请写成 1.0、1.25 或 2，而不是“{text}”。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="262"/>
        <source>Counting members…</source>
        <translation>正在统计会员…</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="269"/>
        <source>{total} members: the counts are where they would be with these tiers, as of now.</source>
        <translation>共 {total} 位会员：以上为按这些等级截至目前的各级人数。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="301"/>
        <source>Tiers saved. Members move to their new tier at their next sale or the nightly review.</source>
        <translation>等级已保存。会员将在下次消费或每晚复核时调整到新等级。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="316"/>
        <source>Program settings</source>
        <translation>积分规则设置</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="345"/>
        <source>Save settings</source>
        <translation>保存设置</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="360"/>
        <source> points</source>
        <translation> 积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="362"/>
        <source>Earning</source>
        <translation>获得积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="363"/>
        <source>Points per 1.00 spent</source>
        <translation>每消费 1.00 得积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="364"/>
        <source>Points expire after</source>
        <translation>积分有效期</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="364"/>
        <source> months</source>
        <translation> 个月</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="366"/>
        <source>Refunded points last at least</source>
        <translation>退还积分最短有效期</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="368"/>
        <source>Redeeming</source>
        <translation>积分抵扣</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="369"/>
        <source>Points that pay 1.00</source>
        <translation>抵扣 1.00 所需积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="370"/>
        <source>Points pay at most</source>
        <translation>积分最多抵扣</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="370"/>
        <source>% of a sale</source>
        <translation>% 订单额</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="372"/>
        <source>Most points in one sale</source>
        <translation>单笔最多使用积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="374"/>
        <source>Referrals</source>
        <translation>推荐奖励</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="375"/>
        <source>Reward for the referrer</source>
        <translation>推荐人奖励</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="376"/>
        <source>Reward for the new member</source>
        <translation>新会员奖励</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="378"/>
        <source>Qualifying first purchase</source>
        <translation>首次消费门槛</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="379"/>
        <source>Money and stored value</source>
        <translation>货币与储值</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="380"/>
        <source>Currency symbol</source>
        <translation>货币符号</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="381"/>
        <source>Most stored value per member</source>
        <translation>每位会员储值上限</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="382"/>
        <source>Offline spending per till</source>
        <translation>单台离线储值上限</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="383"/>
        <source>Offline after no sync for</source>
        <translation>未同步多久视为离线</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="384"/>
        <source> minutes</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="389"/>
        <source>Points for each 1.00 of eligible spend, before tier and promotion multipliers</source>
        <translation>每 1.00 可积分消费所得积分（未计等级和促销倍数）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="391"/>
        <source>Earned points expire this many months after the sale</source>
        <translation>获得的积分在消费后满这么多个月到期</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="393"/>
        <source>Points given back by a refund never expire sooner than this</source>
        <translation>退款退还的积分，有效期不短于此</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="395"/>
        <source>How many points pay for 1.00</source>
        <translation>抵扣 1.00 需要多少积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="396"/>
        <source>The largest share of a sale that points may pay</source>
        <translation>积分最多可抵扣订单金额的比例</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="397"/>
        <source>0: no limit beyond the share of the sale</source>
        <translation>0：除订单比例外不另设上限</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="398"/>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="400"/>
        <source>Given when the new member makes a qualifying first purchase</source>
        <translation>新会员首次消费达到门槛时发放</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="402"/>
        <source>The new member&apos;s first purchase must reach this for the referral rewards</source>
        <translation>新会员首次消费须达到此金额才发放推荐奖励</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="404"/>
        <source>1 to 4 characters, e.g. ¥ or HK$</source>
        <translation>1 到 4 个字符，例如 ¥ 或 HK$</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="405"/>
        <source>A member&apos;s stored value balance never goes above this</source>
        <translation>会员的储值余额不能超过此金额</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="407"/>
        <source>Stored value a till may take while it cannot reach head office</source>
        <translation>收银台连不上总部时最多可使用的储值金额</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="409"/>
        <source>A till that has not reached head office for this long counts as offline: its stored value spending is then capped</source>
        <translation>收银台超过这么长时间未连上总部即视为离线，此时储值支付受限额约束</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="420"/>
        <source>e.g. ¥ or HK$</source>
        <translation>例如 ¥ 或 HK$</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="443"/>
        <source>No limit</source>
        <translation>不限</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="477"/>
        <source>{setting}: &apos;{text}&apos; is not an amount of money (digits and up to 2 decimals).</source>
        <translation>{setting}：“{text}”不是有效金额（数字，最多 2 位小数）。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="493"/>
        <source>Nothing to save: no setting was changed.</source>
        <translation>无需保存：没有修改任何设置。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/program_tab.py" line="502"/>
        <source>Saved: {settings}.</source>
        <translation>已保存：{settings}。</translation>
    </message>
</context>
<context>
    <name>PromotionsTab</name>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="104"/>
        <source>Edit promotion</source>
        <translation>编辑促销</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="105"/>
        <source>Try it</source>
        <translation>试算</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="125"/>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="375"/>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="125"/>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="376"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="125"/>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="377"/>
        <source>Effect</source>
        <translation>优惠方式</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="125"/>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="379"/>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="126"/>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="360"/>
        <source>Exclusive</source>
        <translation>独占</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="126"/>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="364"/>
        <source>Enabled</source>
        <translation>启用</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="138"/>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="139"/>
        <source>Duplicate</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="141"/>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="293"/>
        <source>Disable</source>
        <translation>停用</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="143"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="151"/>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="221"/>
        <source>Overlap warnings</source>
        <translation>冲突提醒</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="191"/>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="192"/>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="191"/>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="192"/>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="220"/>
        <source>Overlap warnings ({count})</source>
        <translation>冲突提醒（{count}）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="227"/>
        <source>No exclusive promotions compete for the same basket.</source>
        <translation>没有独占促销争用同一笔订单。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="233"/>
        <source>x{factor} points</source>
        <translation>积分 x{factor}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="235"/>
        <source>+{points} points</source>
        <translation>积分 +{points}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="237"/>
        <source>{percent}% off</source>
        <translation>减 {percent}%</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="238"/>
        <source>{amount} off</source>
        <translation>立减 {amount}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="245"/>
        <source>Dates: {start} to {end}</source>
        <translation>日期：{start} 至 {end}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="248"/>
        <source>Weekdays: {days}</source>
        <translation>星期：{days}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="251"/>
        <source>Hours: {start} to {end}</source>
        <translation>时段：{start} 至 {end}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="254"/>
        <source>Tiers: {tiers}</source>
        <translation>等级：{tiers}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="256"/>
        <source>Items: {skus}</source>
        <translation>商品：{skus}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="258"/>
        <source>Categories: {categories}</source>
        <translation>品类：{categories}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="261"/>
        <source>Basket of at least {amount}</source>
        <translation>订单满 {amount}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="264"/>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="432"/>
        <source>Only in the member&apos;s birthday month</source>
        <translation>仅限会员生日当月</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="266"/>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="434"/>
        <source>Only on a member&apos;s first purchase</source>
        <translation>仅限会员首次消费</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="267"/>
        <source>Every basket, every day</source>
        <translation>所有订单，每天适用</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="292"/>
        <source>Enable</source>
        <translation>启用</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="313"/>
        <source>Discard changes</source>
        <translation>放弃修改</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="317"/>
        <source>Save promotion</source>
        <translation>保存促销</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="339"/>
        <source>e.g. WEEKEND10</source>
        <translation>例如 WEEKEND10</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="343"/>
        <source>Shown on receipts and in reports</source>
        <translation>显示在小票和报表上</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="346"/>
        <source>Points multiplier</source>
        <translation>积分倍数</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="347"/>
        <source>Bonus points</source>
        <translation>额外积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="348"/>
        <source>Percent discount</source>
        <translation>百分比折扣</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="349"/>
        <source>Fixed discount</source>
        <translation>固定金额立减</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="359"/>
        <source>Higher priority promotions are tried first</source>
        <translation>优先级高的促销先计算</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="362"/>
        <source>Applies only when nothing has applied before it, and then nothing else applies</source>
        <translation>仅当之前没有促销生效时适用；生效后其他促销都不再适用</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="378"/>
        <source>Value</source>
        <translation>数值</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="396"/>
        <source>When</source>
        <translation>适用时间</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="398"/>
        <source>From</source>
        <translation>开始</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="401"/>
        <source>Until</source>
        <translation>截止</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="403"/>
        <source>The last day it applies</source>
        <translation>适用的最后一天</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="409"/>
        <source>Hours</source>
        <translation>时段</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="411"/>
        <source>From the start time until just before the end time; an end before the start runs past midnight</source>
        <translation>从开始时间起，到结束时间前为止；结束时间早于开始时间表示跨过午夜</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="421"/>
        <source>Weekdays (none ticked: every day)</source>
        <translation>星期（都不勾选则每天适用）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="462"/>
        <source>Who and what</source>
        <translation>适用对象与商品</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="467"/>
        <source>Tiers</source>
        <translation>等级</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="475"/>
        <source>e.g. dairy, fruit</source>
        <translation>例如 乳制品, 水果</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="483"/>
        <source>Categories</source>
        <translation>品类</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="487"/>
        <source>SKUs, e.g. RICE5, MILK1</source>
        <translation>商品编码，例如 RICE5, MILK1</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="488"/>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="1042"/>
        <source>Items</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="492"/>
        <source>0.00 (any basket)</source>
        <translation>0.00（不限金额）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="497"/>
        <source>Basket from</source>
        <translation>订单满</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="499"/>
        <source>No tier ticked: every shopper, members or not. No items and no categories: every item.</source>
        <translation>不勾选等级：所有顾客，无论是否会员。不指定商品和品类：所有商品。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="550"/>
        <source>Mon</source>
        <translation>周一</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="550"/>
        <source>Tue</source>
        <translation>周二</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="550"/>
        <source>Wed</source>
        <translation>周三</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="550"/>
        <source>Thu</source>
        <translation>周四</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="551"/>
        <source>Fri</source>
        <translation>周五</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="551"/>
        <source>Sat</source>
        <translation>周六</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="551"/>
        <source>Sun</source>
        <translation>周日</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="556"/>
        <source>e.g. x2.0 or 1.5</source>
        <translation>例如 x2.0 或 1.5</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="557"/>
        <source>times the points</source>
        <translation>倍积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="558"/>
        <source>e.g. 50</source>
        <translation>例如 50</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="558"/>
        <source>extra points</source>
        <translation>额外积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="559"/>
        <source>1 to 100</source>
        <translation>1 到 100</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="560"/>
        <source>% off the matching items</source>
        <translation>% 折扣（适用商品）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="561"/>
        <source>e.g. 5.00</source>
        <translation>例如 5.00</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="562"/>
        <source>{symbol} off the matching items</source>
        <translation>{symbol} 立减（适用商品）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="589"/>
        <source>{name} (copy)</source>
        <translation>{name}（副本）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="592"/>
        <source>A copy of {code}: change the code and what differs, then save.</source>
        <translation>{code} 的副本：请修改代码和不同之处，然后保存。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="608"/>
        <source>Promotion {code}</source>
        <translation>促销 {code}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="609"/>
        <source>New promotion</source>
        <translation>新建促销</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="611"/>
        <source>A saved promotion keeps its code; duplicate it to make a new one</source>
        <translation>已保存的促销不能改代码；如需新代码，请复制后再改</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="665"/>
        <source>Enter the value of the effect.</source>
        <translation>请输入优惠数值。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="671"/>
        <source>&apos;{text}&apos; is not a whole number.</source>
        <translation>“{text}”不是整数。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="685"/>
        <source>Write the multiplier as x2.0 or x1.25 (or as a percent, 200%), not &apos;{text}&apos;.</source>
        <translation>倍数请写成 x2.0 或 x1.25（或百分比 200%），而不是“{text}”。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="696"/>
        <source>Items: no product with SKU or barcode {code}.</source>
        <translation>商品：没有编码或条码为 {code} 的商品。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="750"/>
        <source>A promotion with code {code} exists: pick it in the list to change it, or choose another code.</source>
        <translation>代码为 {code} 的促销已存在：请在列表中选中它进行修改，或换一个代码。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="759"/>
        <source>Saved promotion {code}.</source>
        <translation>已保存促销 {code}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="773"/>
        <source>Enabled {code}.</source>
        <translation>已启用 {code}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="774"/>
        <source>Disabled {code}.</source>
        <translation>已停用 {code}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="780"/>
        <source>Delete promotion</source>
        <translation>删除促销</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="786"/>
        <source>Delete promotion {code} ({name})? A promotion that a sale has used cannot be deleted; disable it instead.</source>
        <translation>删除促销 {code}（{name}）？已被交易使用过的促销不能删除，请改为停用。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="794"/>
        <source>Deleted promotion {code}.</source>
        <translation>已删除促销 {code}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="809"/>
        <source>Quote at</source>
        <translation>试算时间</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="815"/>
        <source>Now</source>
        <translation>现在</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="822"/>
        <source>With the unsaved edit</source>
        <translation>包含未保存的修改</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="824"/>
        <source>Quote with the promotion as it is in the editor, before saving it</source>
        <translation>按编辑器中尚未保存的促销进行试算</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="828"/>
        <source>Quote this basket</source>
        <translation>试算此订单</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="845"/>
        <source>Enter a sample basket and a shopper, then quote it to see which promotions apply and why the others do not.</source>
        <translation>输入示例商品和顾客，然后试算，查看哪些促销适用，以及其他促销为何不适用。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="851"/>
        <source>Sample basket</source>
        <translation>示例商品</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="855"/>
        <source>SKU or barcode</source>
        <translation>商品编码或条码</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="855"/>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="866"/>
        <source>Add line</source>
        <translation>添加一行</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="869"/>
        <source>Remove line</source>
        <translation>删除一行</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="907"/>
        <source>Shopper</source>
        <translation>顾客</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="910"/>
        <source>No member</source>
        <translation>非会员</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="911"/>
        <source>A member</source>
        <translation>指定会员</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="912"/>
        <source>Any shopper of tier</source>
        <translation>按等级</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="917"/>
        <source>Card or phone</source>
        <translation>卡号或手机号</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="919"/>
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="924"/>
        <source>Find the member first</source>
        <translation>请先查找会员</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="929"/>
        <source>Birthday this month</source>
        <translation>本月生日</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="931"/>
        <source>First purchase</source>
        <translation>首次消费</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="979"/>
        <source>No member found for {text}.</source>
        <translation>未找到会员：{text}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="987"/>
        <source>Choose the shopper&apos;s tier.</source>
        <translation>请选择顾客的等级。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="1000"/>
        <source>Find the sample member first.</source>
        <translation>请先查找示例会员。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="1023"/>
        <source>Subtotal</source>
        <translation>小计</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="1024"/>
        <source>Discounts</source>
        <translation>优惠</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="1025"/>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="1026"/>
        <source>Points earned</source>
        <translation>获得积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="1032"/>
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="1032"/>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="1032"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="1033"/>
        <source>Discount</source>
        <translation>优惠</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="1033"/>
        <source>Net</source>
        <translation>净额</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="1041"/>
        <source>Quoted for {moment}</source>
        <translation>试算时间：{moment}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="1042"/>
        <source>Promotions</source>
        <translation>促销</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="1043"/>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/promotions_tab.py" line="1044"/>
        <source>There are no promotions.</source>
        <translation>没有促销。</translation>
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
        <location filename="../../loyalty_pos/ui/refund_dialog.py" line="59"/>
        <source>Confirm refund</source>
        <translation>确认退款</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/refund_dialog.py" line="64"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/refund_dialog.py" line="112"/>
        <source>Refund {amount}: cash {cash}, card {card}, stored value back {stored}.
Points taken back: {taken}. Points given back: {given}.</source>
        <translation>退款 {amount}：现金 {cash}，银行卡 {card}，退回储值 {stored}。
扣回积分：{taken}。退还积分：{given}。</translation>
    </message>
</context>
<context>
    <name>ReportsTab</name>
    <message>
        <location filename="../../loyalty_pos/ui/manager/reports_tab.py" line="59"/>
        <source>Day report (Z report)</source>
        <translation>日结报表（Z 报表）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/reports_tab.py" line="64"/>
        <source>This till</source>
        <translation>本收银台</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/reports_tab.py" line="65"/>
        <source>Whole store</source>
        <translation>全店</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/reports_tab.py" line="66"/>
        <source>PDF</source>
        <translation>导出 PDF</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/reports_tab.py" line="69"/>
        <source>CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/reports_tab.py" line="72"/>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/reports_tab.py" line="89"/>
        <source>Member statement</source>
        <translation>会员对账单</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/reports_tab.py" line="93"/>
        <source>card number or phone</source>
        <translation>会员卡号或手机号</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/reports_tab.py" line="96"/>
        <source>Statement PDF</source>
        <translation>对账单 PDF</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/reports_tab.py" line="111"/>
        <source>No member found for {text}.</source>
        <translation>未找到会员：{text}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/reports_tab.py" line="122"/>
        <source>Overview: liability, tiers, top members</source>
        <translation>概览：积分与储值负债、等级、消费排行</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/reports_tab.py" line="127"/>
        <source>Show charts</source>
        <translation>显示图表</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/reports_tab.py" line="130"/>
        <source>Overview PDF</source>
        <translation>概览 PDF</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/reports_tab.py" line="186"/>
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
</context>
<context>
    <name>SaleScreen</name>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="77"/>
        <source>Scan or type a barcode, card or receipt number</source>
        <translation>扫描或输入商品条码、会员卡号或小票号</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="82"/>
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="82"/>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="82"/>
        <source>Price</source>
        <translation>单价</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="83"/>
        <source>Discount</source>
        <translation>优惠</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="83"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="119"/>
        <source>Subtotal</source>
        <translation>小计</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="120"/>
        <source>Discounts</source>
        <translation>优惠</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="121"/>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="131"/>
        <source>Help</source>
        <translation>帮助</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="132"/>
        <source>Find member</source>
        <translation>查找会员</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="133"/>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="280"/>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="134"/>
        <source>Void line</source>
        <translation>删除商品</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="135"/>
        <source>Detach member</source>
        <translation>移除会员</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="136"/>
        <source>Top up</source>
        <translation>充值</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="137"/>
        <source>Refund</source>
        <translation>退款</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="138"/>
        <source>Reprint</source>
        <translation>重打小票</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="139"/>
        <source>Cancel sale</source>
        <translation>取消交易</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="140"/>
        <source>Adjust points</source>
        <translation>调整积分</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="141"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="143"/>
        <source>Manager</source>
        <translation>店长</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="142"/>
        <source>Sign out</source>
        <translation>签退</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="144"/>
        <source>Pay</source>
        <translation>结账</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="163"/>
        <source>Signed in as {name}.</source>
        <translation>已登录：{name}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="200"/>
        <source>Points to earn: {points} ({why})</source>
        <translation>本单可得积分：{points}（{why}）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="228"/>
        <source>Unknown code {code}: nothing was changed.</source>
        <translation>无法识别的条码 {code}：未做任何更改。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="237"/>
        <source>{name} added.</source>
        <translation>已添加 {name}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="251"/>
        <source>This card cannot be used: see the member panel.</source>
        <translation>此卡不能使用：请查看会员信息栏。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="249"/>
        <source>Member {name} attached.</source>
        <translation>已关联会员 {name}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="280"/>
        <source>New quantity</source>
        <translation>新数量</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="291"/>
        <source>Line voided.</source>
        <translation>已删除该商品。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="297"/>
        <source>Sale cancelled: nothing was recorded.</source>
        <translation>交易已取消：未记录任何内容。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="331"/>
        <source>Sale {receipt} complete. Change {change}.</source>
        <translation>交易 {receipt} 已完成。找零 {change}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="334"/>
        <source>{name}: +{earned} points, balance {points}.</source>
        <translation>{name}：积分 +{earned}，积分余额 {points}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="344"/>
        <source>Unexpected error: {error}</source>
        <translation>意外错误：{error}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="366"/>
        <source>The receipt could not be printed ({error}); the sale is saved. Use Reprint (F8).</source>
        <translation>小票打印失败（{error}）；交易已保存。请按“重打小票”（F8）。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="373"/>
        <source>No receipt to reprint yet.</source>
        <translation>还没有可以重打的小票。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="395"/>
        <source>Refund {receipt}: pay back {cash} cash, {card} to card; stored value +{stored}; points -{taken} / +{given}.</source>
        <translation>退款 {receipt}：退现金 {cash}，退回银行卡 {card}；储值 +{stored}；积分 -{taken} / +{given}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="406"/>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="422"/>
        <source>Attach a member first (scan the card or press F2).</source>
        <translation>请先关联会员（扫描会员卡或按 F2）。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/sale_screen.py" line="427"/>
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
        <location filename="../../loyalty_pos/ui/signin.py" line="37"/>
        <source>Who is signing in?</source>
        <translation>请选择登录人员</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/signin.py" line="45"/>
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/signin.py" line="60"/>
        <location filename="../../loyalty_pos/ui/signin.py" line="71"/>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/signin.py" line="82"/>
        <source>manager</source>
        <translation>店长</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/signin.py" line="82"/>
        <source>cashier</source>
        <translation>收银员</translation>
    </message>
</context>
<context>
    <name>StaffTab</name>
    <message>
        <location filename="../../loyalty_pos/ui/manager/staff_tab.py" line="37"/>
        <location filename="../../loyalty_pos/ui/manager/staff_tab.py" line="83"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/staff_tab.py" line="37"/>
        <location filename="../../loyalty_pos/ui/manager/staff_tab.py" line="84"/>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/staff_tab.py" line="38"/>
        <source>Active</source>
        <translation>启用</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/staff_tab.py" line="38"/>
        <source>Locked out</source>
        <translation>锁定至</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/staff_tab.py" line="52"/>
        <source>Enable / disable</source>
        <translation>启用 / 停用</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/staff_tab.py" line="55"/>
        <source>Switch role</source>
        <translation>切换角色</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/staff_tab.py" line="61"/>
        <source>new PIN</source>
        <translation>新密码</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/staff_tab.py" line="62"/>
        <source>Reset PIN</source>
        <translation>重置密码</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/staff_tab.py" line="75"/>
        <location filename="../../loyalty_pos/ui/manager/staff_tab.py" line="93"/>
        <source>cashier</source>
        <translation>收银员</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/staff_tab.py" line="76"/>
        <location filename="../../loyalty_pos/ui/manager/staff_tab.py" line="93"/>
        <source>manager</source>
        <translation>店长</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/staff_tab.py" line="80"/>
        <source>Add staff member</source>
        <translation>添加员工</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/staff_tab.py" line="85"/>
        <source>PIN (4-8 digits)</source>
        <translation>密码（4-8 位数字）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/staff_tab.py" line="94"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/staff_tab.py" line="94"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/staff_tab.py" line="117"/>
        <location filename="../../loyalty_pos/ui/manager/staff_tab.py" line="126"/>
        <source>{name} updated.</source>
        <translation>已更新 {name}。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/staff_tab.py" line="135"/>
        <source>PIN of {name} reset.</source>
        <translation>已重置 {name} 的密码。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/manager/staff_tab.py" line="142"/>
        <source>{name} added.</source>
        <translation>已添加 {name}。</translation>
    </message>
</context>
<context>
    <name>TillWindow</name>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="102"/>
        <source>Loyalty POS {version} — {store}</source>
        <translation>会员收银系统 {version} — {store}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="115"/>
        <source>Sync: checking…</source>
        <translation>同步：正在检查…</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="124"/>
        <source>About</source>
        <translation>关于</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="184"/>
        <source>Scanner connected</source>
        <translation>扫码枪已连接</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="185"/>
        <source>Scanner DISCONNECTED — reconnecting</source>
        <translation>扫码枪已断开 — 正在重新连接</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="186"/>
        <source>Scanner stopped</source>
        <translation>扫码枪已停止</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="187"/>
        <source>No serial scanner (keyboard scanners work)</source>
        <translation>未配置串口扫码枪（USB 键盘式扫码枪可用）</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="218"/>
        <source>Cashier: {name}</source>
        <translation>收银员：{name}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="219"/>
        <location filename="../../loyalty_pos/ui/smoke.py" line="67"/>
        <source>Signed out</source>
        <translation>未登录</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="254"/>
        <source>Sync state unknown: {error}</source>
        <translation>同步状态未知：{error}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="267"/>
        <source>Not connected to head office</source>
        <translation>未连接总部</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="268"/>
        <source>This till works on its own: register it with head office to share members and balances with the other tills.</source>
        <translation>本收银台独立运行：在总部注册后，才能与其他收银台共享会员和余额。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="271"/>
        <source>{entries} ledger entries and {messages} records waiting to send. Click to sync now.</source>
        <translation>{entries} 条账目和 {messages} 条记录待上传。点击立即同步。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="275"/>
        <source>Last error: {error}</source>
        <translation>上次错误：{error}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="279"/>
        <source>Never synced with head office — stored value limited to {amount}</source>
        <translation>从未与总部同步 — 储值支付限额 {amount}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="282"/>
        <source>Offline for {duration} — stored value limited to {amount}</source>
        <translation>已离线 {duration} — 储值支付限额 {amount}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="285"/>
        <source>Stored value left to spend offline: {amount}</source>
        <translation>离线时剩余可用储值额度：{amount}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="288"/>
        <source>Sync: {count} waiting · last {time}</source>
        <translation>同步：{count} 条待上传 · 上次 {time}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="295"/>
        <source>{minutes} min</source>
        <translation>{minutes} 分钟</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="296"/>
        <source>{hours} h {minutes} min</source>
        <translation>{hours} 小时 {minutes} 分钟</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="312"/>
        <source>This till is not registered with head office (loyalty-pos register).</source>
        <translation>本收银台尚未在总部注册（loyalty-pos register）。</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="317"/>
        <source>Syncing with head office…</source>
        <translation>正在与总部同步…</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="323"/>
        <source>Sync: {error}</source>
        <translation>同步：{error}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="329"/>
        <source>About Loyalty POS</source>
        <translation>关于会员收银系统</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="330"/>
        <source>Loyalty POS {version}

Till database: {database}
Backups: {backups}
Qt {qt}, Python {python}</source>
        <translation>会员收银系统 {version}

收银数据库：{database}
备份：{backups}
Qt {qt}，Python {python}</translation>
    </message>
    <message>
        <location filename="../../loyalty_pos/ui/main_window.py" line="347"/>
        <source>Backup failed: {error}</source>
        <translation>备份失败：{error}</translation>
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
