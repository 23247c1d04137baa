<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AccountDialog</name>
    <message>
        <source>&amp;Staff number:</source>
        <translation>员工号(&amp;S)：</translation>
    </message>
    <message>
        <source>Na&amp;me:</source>
        <translation>姓名(&amp;M)：</translation>
    </message>
    <message>
        <source>Roles:</source>
        <translation>角色：</translation>
    </message>
    <message>
        <source>New staff account</source>
        <translation>新建员工账号</translation>
    </message>
    <message>
        <source>Roles of %1</source>
        <translation>%1 的角色</translation>
    </message>
</context>
<context>
    <name>ActionDialog</name>
    <message>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <source>Ctrl+Enter to confirm</source>
        <translation>按 Ctrl+Enter 确认</translation>
    </message>
    <message>
        <source>* required. Enter or Ctrl+Enter: confirm · Esc: cancel</source>
        <translation>* 为必填项。Enter 或 Ctrl+Enter：确认 · Esc：取消</translation>
    </message>
    <message>
        <source>* required. Enter: confirm · Esc: cancel</source>
        <translation>* 为必填项。Enter：确认 · Esc：取消</translation>
    </message>
    <message>
        <source>{action} (Ctrl+Enter)</source>
        <translation>{action} (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>{action} (Enter)</source>
        <translation>{action} (Enter)</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>取消 (Esc)</translation>
    </message>
    <message>
        <source>— choose —</source>
        <translation>— 请选择 —</translation>
    </message>
    <message>
        <source>— none —</source>
        <translation>— 无 —</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>{milestone} (due {due})</source>
        <translation>{milestone}（{due} 到期）</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>BranchDesk</source>
        <translation>BranchDesk</translation>
    </message>
    <message>
        <source>Print this sheet now and keep it in the safe: it restores the archives</source>
        <translation>请立即打印此单并存放在保险柜：凭它恢复档案</translation>
    </message>
    <message>
        <source>Creating demo cases…</source>
        <translation>正在生成演示工单…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>AppointmentBookPanel</name>
    <message>
        <source>◀ Previous (Alt+Left)</source>
        <translation>◀ 前一天 (Alt+Left)</translation>
    </message>
    <message>
        <source>Next (Alt+Right) ▶</source>
        <translation>后一天 (Alt+Right) ▶</translation>
    </message>
    <message>
        <source>&amp;Whole week</source>
        <translation>整周(&amp;W)</translation>
    </message>
    <message>
        <source>&amp;Staff:</source>
        <translation>服务人员(&amp;S)：</translation>
    </message>
    <message>
        <source>Everyone</source>
        <translation>全部人员</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Appointment book</source>
        <translation>预约簿</translation>
    </message>
    <message>
        <source>Open the case</source>
        <translation>打开工单</translation>
    </message>
    <message>
        <source>Reschedule…</source>
        <translation>改约…</translation>
    </message>
    <message>
        <source>Mark missed…</source>
        <translation>记为爽约…</translation>
    </message>
    <message>
        <source>Print confirmation</source>
        <translation>打印预约确认单</translation>
    </message>
    <message>
        <source>Print day sheet</source>
        <translation>打印日程单</translation>
    </message>
    <message>
        <source>Enter</source>
        <translation>回车</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>服务人员</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时段</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>工单</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>预约业务</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Service number</source>
        <translation>业务号码</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Moved</source>
        <translation>改期次数</translation>
    </message>
    <message>
        <source>Booked</source>
        <translation>已预约</translation>
    </message>
    <message>
        <source>Missed</source>
        <translation>爽约</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>(nobody named)</source>
        <translation>（未指定）</translation>
    </message>
    <message numerus="yes">
        <source>%n appointment(s) still to keep that day</source>
        <translation>
            <numerusform>当天还有 %n 个预约待履行</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ArchivePanel</name>
    <message numerus="yes">
        <source>Archiving %n case(s)…</source>
        <translation>
            <numerusform>正在归档 %n 件案件…</numerusform>
        </translation>
    </message>
    <message>
        <source>Sealing approved cases…</source>
        <translation>正在封存已审批的案件…</translation>
    </message>
    <message>
        <source>Archive queue</source>
        <translation>待归档队列</translation>
    </message>
    <message>
        <source>Find archived cases (Ctrl+F)</source>
        <translation>查找归档案件 (Ctrl+F)</translation>
    </message>
    <message>
        <source>Closed cases awaiting the archive review</source>
        <translation>待归档审核的已结案件</translation>
    </message>
    <message>
        <source>Review result</source>
        <translation>审核结果</translation>
    </message>
    <message>
        <source>Archived cases found</source>
        <translation>查到的归档案件</translation>
    </message>
    <message>
        <source>Review selected (Ctrl+R)</source>
        <translation>审核所选 (Ctrl+R)</translation>
    </message>
    <message>
        <source>Approve and archive (Ctrl+Enter)</source>
        <translation>审批并归档 (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Seal what HQ has received</source>
        <translation>封存总部已接收的案件</translation>
    </message>
    <message>
        <source>Find (Enter)</source>
        <translation>查找 (Enter)</translation>
    </message>
    <message>
        <source>Open read-only (Enter)</source>
        <translation>只读打开 (Enter)</translation>
    </message>
    <message>
        <source>Reason for the legal hold</source>
        <translation>法律保全原因</translation>
    </message>
    <message>
        <source>Place legal hold</source>
        <translation>设置法律保全</translation>
    </message>
    <message>
        <source>Release hold</source>
        <translation>解除保全</translation>
    </message>
    <message>
        <source>&amp;Archive number</source>
        <translation>归档编号(&amp;A)</translation>
    </message>
    <message>
        <source>Case &amp;number</source>
        <translation>案件编号(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Customer (name, phone or service number)</source>
        <translation>用户（姓名、电话或业务号码）(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Kind</source>
        <translation>类型(&amp;K)</translation>
    </message>
    <message>
        <source>Ca&amp;tegory</source>
        <translation>类别(&amp;T)</translation>
    </message>
    <message>
        <source>Received &amp;from</source>
        <translation>受理日期自(&amp;F)</translation>
    </message>
    <message>
        <source>Received &amp;until</source>
        <translation>受理日期至(&amp;U)</translation>
    </message>
    <message>
        <source>Any kind</source>
        <translation>全部类型</translation>
    </message>
    <message>
        <source>Your role does not give access to the archive.</source>
        <translation>您的角色无权查看档案。</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>结案时间</translation>
    </message>
    <message>
        <source>Archive due</source>
        <translation>归档时限</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Missing</source>
        <translation>缺少</translation>
    </message>
    <message>
        <source>Not given</source>
        <translation>未交付用户</translation>
    </message>
    <message>
        <source>Archive number</source>
        <translation>归档编号</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>受理时间</translation>
    </message>
    <message>
        <source>Archived</source>
        <translation>归档时间</translation>
    </message>
    <message>
        <source>Keep until</source>
        <translation>保存至</translation>
    </message>
    <message>
        <source>Legal hold</source>
        <translation>法律保全</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>已超时</translation>
    </message>
    <message>
        <source>Approved, not yet sealed: %1 (waiting for HQ sync: %2)</source>
        <translation>已审批未封存：%1（等待总部同步：%2）</translation>
    </message>
    <message>
        <source>Complete</source>
        <translation>完整</translation>
    </message>
    <message>
        <source>Incomplete</source>
        <translation>不完整</translation>
    </message>
    <message numerus="yes">
        <source>Approved: %n</source>
        <translation>
            <numerusform>已审批：%n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Refused (see the review): %n</source>
        <translation>
            <numerusform>未通过（见审核结果）：%n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Sealed: %n</source>
        <translation>
            <numerusform>已封存：%n</numerusform>
        </translation>
    </message>
    <message>
        <source>Cancelled before sealing</source>
        <translation>已在封存前取消</translation>
    </message>
    <message>
        <source>Purged</source>
        <translation>已清除</translation>
    </message>
</context>
<context>
    <name>ArchivedCaseDialog</name>
    <message>
        <source>Archived case %1 (read-only)</source>
        <translation>归档案件 %1（只读）</translation>
    </message>
    <message>
        <source>Archive number</source>
        <translation>归档编号</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>受理时间</translation>
    </message>
    <message>
        <source>Archived</source>
        <translation>归档时间</translation>
    </message>
    <message>
        <source>Keep until</source>
        <translation>保存至</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>人员</translation>
    </message>
    <message>
        <source>What</source>
        <translation>事项</translation>
    </message>
    <message>
        <source>Reprint %1 (Alt+%2)</source>
        <translation>补打%1 (Alt+%2)</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>关闭 (Esc)</translation>
    </message>
</context>
<context>
    <name>AuditView</name>
    <message>
        <source>BranchDesk – audit trail</source>
        <translation>BranchDesk – 审计日志</translation>
    </message>
    <message>
        <source>&amp;Period:</source>
        <translation>时间段(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Staff:</source>
        <translation>员工(&amp;S)：</translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation>类别(&amp;K)：</translation>
    </message>
    <message>
        <source>&amp;Case:</source>
        <translation>工单(&amp;C)：</translation>
    </message>
    <message>
        <source>All time</source>
        <translation>全部时间</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <source>This year</source>
        <translation>今年</translation>
    </message>
    <message>
        <source>Everyone</source>
        <translation>全部员工</translation>
    </message>
    <message>
        <source>Everything</source>
        <translation>全部操作</translation>
    </message>
    <message>
        <source>Sign-ins and passwords</source>
        <translation>登录与密码</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>工单</translation>
    </message>
    <message>
        <source>Personal data shown</source>
        <translation>查看个人信息</translation>
    </message>
    <message>
        <source>Staff accounts</source>
        <translation>员工账号</translation>
    </message>
    <message>
        <source>Audit trail (exports, checks)</source>
        <translation>审计日志（导出、校验）</translation>
    </message>
    <message>
        <source>Branch settings</source>
        <translation>营业厅设置</translation>
    </message>
    <message>
        <source>Headquarters sync</source>
        <translation>与总部同步</translation>
    </message>
    <message>
        <source>case number</source>
        <translation>工单号</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>员工</translation>
    </message>
    <message>
        <source>Workstation</source>
        <translation>工作站</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>工单</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Export CSV… (Ctrl+E)</source>
        <translation>导出 CSV… (Ctrl+E)</translation>
    </message>
    <message>
        <source>Verify chain (Ctrl+Shift+V)</source>
        <translation>校验日志链 (Ctrl+Shift+V)</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>关闭 (Esc)</translation>
    </message>
    <message>
        <source>Entries: %1</source>
        <translation>共 %1 条</translation>
    </message>
    <message>
        <source>Staff: %1</source>
        <translation>员工：%1</translation>
    </message>
    <message>
        <source>Workstation: %1</source>
        <translation>工作站：%1</translation>
    </message>
    <message>
        <source>Action: %1</source>
        <translation>操作：%1</translation>
    </message>
    <message>
        <source>Case: %1</source>
        <translation>工单：%1</translation>
    </message>
    <message>
        <source>Hash: %1</source>
        <translation>哈希：%1</translation>
    </message>
    <message>
        <source>Export the audit trail</source>
        <translation>导出审计日志</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>%1 entries exported to %2</source>
        <translation>已导出 %1 条记录到 %2</translation>
    </message>
    <message>
        <source>Checking the audit trail…</source>
        <translation>正在校验审计日志…</translation>
    </message>
    <message>
        <source>The audit trail is intact: all %1 entries are as they were written, and the %2 confirmed by headquarters match.</source>
        <translation>审计日志完整：全部 %1 条记录均与写入时一致，总部确认过的 %2 条也全部吻合。</translation>
    </message>
    <message>
        <source>The audit trail is intact: all %1 entries are as they were written.</source>
        <translation>审计日志完整：全部 %1 条记录均与写入时一致。</translation>
    </message>
    <message>
        <source>The audit trail has been tampered with.</source>
        <translation>审计日志已被篡改。</translation>
    </message>
    <message>
        <source>The database&apos;s protection against changing entries has been removed.</source>
        <translation>数据库中防止修改日志的保护已被移除。</translation>
    </message>
    <message>
        <source>its content was changed after it was written</source>
        <translation>该记录写入后内容被修改过</translation>
    </message>
    <message>
        <source>it does not follow entry #%1: entries were removed, inserted or reordered</source>
        <translation>它与前一条 #%1 接不上：有记录被删除、插入或调换了顺序</translation>
    </message>
    <message>
        <source>entries between #%1 and it are missing</source>
        <translation>#%1 与它之间的记录缺失</translation>
    </message>
    <message>
        <source>headquarters confirmed this entry, and it is now gone or different</source>
        <translation>总部确认过这条记录，现在它已不存在或被改动</translation>
    </message>
    <message>
        <source>First broken entry: #%1 (%2): %3</source>
        <translation>第一条出问题的记录：#%1（%2）：%3</translation>
    </message>
    <message>
        <source>%1 entries checked.</source>
        <translation>共校验 %1 条记录。</translation>
    </message>
</context>
<context>
    <name>CaseDetail</name>
    <message>
        <source>Actions (Alt+1 … Alt+9)</source>
        <translation>可办理操作 (Alt+1 … Alt+9)</translation>
    </message>
    <message>
        <source>Time limits</source>
        <translation>处理时限</translation>
    </message>
    <message>
        <source>History (newest first)</source>
        <translation>处理记录（最新在前）</translation>
    </message>
    <message>
        <source>Print… (Ctrl+P)</source>
        <translation>打印… (Ctrl+P)</translation>
    </message>
    <message>
        <source>Show full</source>
        <translation>显示完整信息</translation>
    </message>
    <message>
        <source>Show the customer&apos;s full phone, ID and service numbers (recorded in the audit trail)</source>
        <translation>显示客户完整的电话、证件号和业务号码（会记入审计日志）</translation>
    </message>
    <message>
        <source>Acceptance &amp;receipt (reprint)</source>
        <translation>受理回执（补打）(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Closure letter</source>
        <translation>处理结果告知书(&amp;C)</translation>
    </message>
    <message>
        <source>Case record &amp;sheet</source>
        <translation>案件记录单(&amp;S)</translation>
    </message>
    <message>
        <source>In the branch&apos;s language</source>
        <translation>使用营业厅默认语言</translation>
    </message>
    <message>
        <source>In Simplified Chinese</source>
        <translation>中文版</translation>
    </message>
    <message>
        <source>In English</source>
        <translation>英文版</translation>
    </message>
    <message>
        <source>Milestone</source>
        <translation>时限节点</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>到期时间</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Loading {number} …</source>
        <translation>正在载入 {number} …</translation>
    </message>
    <message>
        <source>Choose a case to see its details.</source>
        <translation>请选择一个工单查看详情。</translation>
    </message>
    <message>
        <source>Clock paused</source>
        <translation>计时已暂停</translation>
    </message>
    <message>
        <source> (back-dated; entered {entered})</source>
        <translation>（补录，{entered} 录入）</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>当前负责人</translation>
    </message>
    <message>
        <source>Received by</source>
        <translation>受理人</translation>
    </message>
    <message>
        <source>Archive number</source>
        <translation>归档编号</translation>
    </message>
    <message>
        <source>Personal data masked</source>
        <translation>个人信息已隐藏部分内容</translation>
    </message>
    <message>
        <source>Shown in full; recorded in the audit trail.</source>
        <translation>已显示完整信息，并记入审计日志。</translation>
    </message>
    <message>
        <source>met late {at}</source>
        <translation>{at} 完成（已超时）</translation>
    </message>
    <message>
        <source>met {at}</source>
        <translation>{at} 完成</translation>
    </message>
    <message>
        <source>not started</source>
        <translation>未开始计时</translation>
    </message>
    <message>
        <source>paused — {left}</source>
        <translation>已暂停 — {left}</translation>
    </message>
</context>
<context>
    <name>CaseTable</name>
    <message>
        <source>Cases</source>
        <translation>工单</translation>
    </message>
</context>
<context>
    <name>CaseTableModel</name>
    <message>
        <source>Click to sort by this column; click again to reverse</source>
        <translation>点击按此列排序，再次点击反向排序</translation>
    </message>
    <message>
        <source>Case no.</source>
        <translation>工单编号</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>分类</translation>
    </message>
    <message>
        <source>Grade</source>
        <translation>等级</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Handler</source>
        <translation>处理人</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>受理时间</translation>
    </message>
    <message>
        <source>Next deadline</source>
        <translation>最近时限</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>剩余时间</translation>
    </message>
    <message>
        <source> (paused)</source>
        <translation>（已暂停）</translation>
    </message>
    <message>
        <source>Due {time}</source>
        <translation>{time} 到期</translation>
    </message>
    <message>
        <source>The clock is paused: waiting for the customer</source>
        <translation>计时已暂停：等待客户</translation>
    </message>
</context>
<context>
    <name>ChangePasswordDialog</name>
    <message>
        <source>BranchDesk – choose your password</source>
        <translation>BranchDesk – 设置您的密码</translation>
    </message>
    <message>
        <source>%1 signed in with a one-time code. Choose your own password now; nobody else, not even an administrator, will know it.</source>
        <translation>%1 使用一次性验证码登录。请现在设置自己的密码；其他人（包括管理员）都不会知道它。</translation>
    </message>
    <message>
        <source>Change the password of %1.</source>
        <translation>修改 %1 的密码。</translation>
    </message>
    <message>
        <source>&amp;One-time code:</source>
        <translation>一次性验证码(&amp;O)：</translation>
    </message>
    <message>
        <source>&amp;Old password:</source>
        <translation>原密码(&amp;O)：</translation>
    </message>
    <message>
        <source>Set the password (Enter)</source>
        <translation>设置密码 (Enter)</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>取消 (Esc)</translation>
    </message>
</context>
<context>
    <name>CodeDialog</name>
    <message>
        <source>One-time code for %1</source>
        <translation>%1 的一次性验证码</translation>
    </message>
    <message>
        <source>Hand this to %1; valid 24 h. At the first sign-in with it they choose their own password. It is not shown again.</source>
        <translation>请交给 %1，24 小时内有效。对方首次用它登录时须设置自己的密码。此验证码不会再次显示。</translation>
    </message>
    <message>
        <source>Copy (Ctrl+C)</source>
        <translation>复制 (Ctrl+C)</translation>
    </message>
    <message>
        <source>Done (Enter)</source>
        <translation>完成 (Enter)</translation>
    </message>
</context>
<context>
    <name>Crash</name>
    <message>
        <source>BranchDesk – unexpected error</source>
        <translation>BranchDesk – 意外错误</translation>
    </message>
    <message>
        <source>Something went wrong that BranchDesk did not expect. What you saved before is safe. Please tell your administrator and give them the log file:</source>
        <translation>BranchDesk 遇到了意外问题。之前已保存的内容不会丢失。请告知管理员，并把下面的日志文件交给他们：</translation>
    </message>
</context>
<context>
    <name>CustomerLookup</name>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message numerus="yes">
        <source>Earlier cases: %n</source>
        <translation>
            <numerusform>历史工单：%n 件</numerusform>
        </translation>
    </message>
    <message>
        <source>No earlier cases for this customer</source>
        <translation>该客户没有历史工单</translation>
    </message>
    <message numerus="yes">
        <source>Repeat complaint: %n complaint(s) in the last %1 days</source>
        <translation>
            <numerusform>重复投诉：近 %1 天内已有 %n 次投诉</numerusform>
        </translation>
    </message>
    <message>
        <source>Use the name %1 (F2)</source>
        <translation>使用姓名 %1 (F2)</translation>
    </message>
</context>
<context>
    <name>DashboardFigures</name>
    <message>
        <source>Late: %1</source>
        <translation>超时：%1</translation>
    </message>
    <message>
        <source>On time: %1</source>
        <translation>按时：%1</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>时限</translation>
    </message>
    <message>
        <source>Counted</source>
        <translation>计入</translation>
    </message>
    <message>
        <source>On time</source>
        <translation>按时</translation>
    </message>
    <message>
        <source>Late</source>
        <translation>超时</translation>
    </message>
    <message>
        <source>On-time rate</source>
        <translation>按时率</translation>
    </message>
    <message>
        <source>On-time rate per deadline</source>
        <translation>各时限按时率</translation>
    </message>
    <message>
        <source>No deadline fell in this period.</source>
        <translation>本期间没有到期的时限。</translation>
    </message>
    <message>
        <source>To acknowledge</source>
        <translation>至确认</translation>
    </message>
    <message>
        <source>To first reply</source>
        <translation>至首次答复</translation>
    </message>
    <message>
        <source>To close</source>
        <translation>至结案</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>环节</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>案件数</translation>
    </message>
    <message>
        <source>Average</source>
        <translation>平均</translation>
    </message>
    <message>
        <source>90th percentile</source>
        <translation>90 分位</translation>
    </message>
    <message>
        <source>Hours from receipt (waiting for the customer not counted)</source>
        <translation>自受理起的小时数（等待客户的时间不计）</translation>
    </message>
    <message>
        <source>No case received in this period.</source>
        <translation>本期间没有受理案件。</translation>
    </message>
    <message>
        <source>%1 days or more</source>
        <translation>%1 天及以上</translation>
    </message>
    <message>
        <source>%1–%2 days</source>
        <translation>%1–%2 天</translation>
    </message>
    <message>
        <source>Open for %1</source>
        <translation>已开启 %1</translation>
    </message>
    <message>
        <source>Overdue now</source>
        <translation>当前超时</translation>
    </message>
    <message>
        <source>Open for</source>
        <translation>已开启时长</translation>
    </message>
    <message>
        <source>Open cases at the end of the period, by age</source>
        <translation>期末未结案件（按时长）</translation>
    </message>
    <message>
        <source>Score %1</source>
        <translation>%1 分</translation>
    </message>
    <message>
        <source>Feedback: %1</source>
        <translation>客户评价：%1</translation>
    </message>
    <message>
        <source>Return visits: %1</source>
        <translation>回访：%1</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>评分</translation>
    </message>
    <message>
        <source>Feedback</source>
        <translation>客户评价</translation>
    </message>
    <message>
        <source>Return visits</source>
        <translation>回访</translation>
    </message>
    <message>
        <source>Satisfaction scores (1 = very unhappy, 5 = very happy)</source>
        <translation>满意度评分（1 = 很不满意，5 = 很满意）</translation>
    </message>
    <message>
        <source>No score was given in this period.</source>
        <translation>本期间没有评分。</translation>
    </message>
    <message>
        <source>Repeat complaints</source>
        <translation>重复投诉</translation>
    </message>
    <message>
        <source>Linked to an incident</source>
        <translation>关联突发事件</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>分类</translation>
    </message>
    <message>
        <source>Complaints</source>
        <translation>投诉数</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>占比</translation>
    </message>
    <message>
        <source>Complaints by category</source>
        <translation>各分类投诉</translation>
    </message>
    <message>
        <source>Complaints over time (top categories)</source>
        <translation>投诉趋势（主要分类）</translation>
    </message>
    <message>
        <source>No complaint in this period.</source>
        <translation>本期间没有投诉。</translation>
    </message>
    <message>
        <source>Cases of %1</source>
        <translation>%1 的案件</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>员工</translation>
    </message>
    <message>
        <source>Cases received</source>
        <translation>受理案件</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已结案</translation>
    </message>
    <message>
        <source>Deadlines</source>
        <translation>时限数</translation>
    </message>
    <message>
        <source>On-time rate per person</source>
        <translation>每人按时率</translation>
    </message>
    <message>
        <source>Load per person</source>
        <translation>每人工作量</translation>
    </message>
    <message>
        <source>Nobody had cases in this period.</source>
        <translation>本期间没有人承办案件。</translation>
    </message>
    <message>
        <source>Appointments in the period</source>
        <translation>本期间的预约</translation>
    </message>
    <message>
        <source>Missed</source>
        <translation>失约</translation>
    </message>
    <message>
        <source>Missed appointments</source>
        <translation>预约失约</translation>
    </message>
    <message>
        <source>Rescheduled</source>
        <translation>改约</translation>
    </message>
    <message>
        <source>Appointments</source>
        <translation>预约</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Appointments kept and missed</source>
        <translation>预约履约与失约</translation>
    </message>
    <message>
        <source>Kept or still to come</source>
        <translation>已履约或尚未到时</translation>
    </message>
    <message>
        <source>No appointment in this period.</source>
        <translation>本期间没有预约。</translation>
    </message>
</context>
<context>
    <name>DashboardPanel</name>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Everyone</source>
        <translation>所有人</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>本月</translation>
    </message>
    <message>
        <source>Last month</source>
        <translation>上月</translation>
    </message>
    <message>
        <source>This year</source>
        <translation>今年</translation>
    </message>
    <message>
        <source>Last year</source>
        <translation>去年</translation>
    </message>
    <message>
        <source>Chosen dates</source>
        <translation>指定日期</translation>
    </message>
    <message>
        <source>The period must end on or after the day it starts.</source>
        <translation>结束日期不能早于开始日期。</translation>
    </message>
    <message>
        <source>Working out the figures…</source>
        <translation>正在计算指标…</translation>
    </message>
    <message>
        <source>Figures for %1 to %2. Click a bar, a tile or a row to see its cases.</source>
        <translation>%1 至 %2 的指标。点击柱条、指标卡或表格行可查看对应案件。</translation>
    </message>
    <message>
        <source>Complaints received</source>
        <translation>收到投诉</translation>
    </message>
    <message>
        <source>Deadlines met on time</source>
        <translation>时限按时完成</translation>
    </message>
    <message>
        <source>Average time to close</source>
        <translation>平均结案时长</translation>
    </message>
    <message>
        <source>Overdue now</source>
        <translation>当前超时</translation>
    </message>
    <message numerus="yes">
        <source>Satisfaction (%n answer(s))</source>
        <translation>
            <numerusform>满意度（%n 份评价）</numerusform>
        </translation>
    </message>
    <message>
        <source>Repeat complaints</source>
        <translation>重复投诉</translation>
    </message>
    <message>
        <source>Complaints from incidents</source>
        <translation>突发事件引起的投诉</translation>
    </message>
    <message>
        <source>Missed appointments</source>
        <translation>预约失约</translation>
    </message>
    <message>
        <source>Click to see these cases</source>
        <translation>点击查看这些案件</translation>
    </message>
    <message>
        <source>&amp;Period</source>
        <translation>期间(&amp;P)</translation>
    </message>
    <message>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <source>&amp;Kind</source>
        <translation>类型(&amp;K)</translation>
    </message>
    <message>
        <source>Ca&amp;tegory</source>
        <translation>分类(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Grade</source>
        <translation>等级(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Staff</source>
        <translation>员工(&amp;S)</translation>
    </message>
    <message>
        <source>Refresh (F5)</source>
        <translation>刷新 (F5)</translation>
    </message>
    <message>
        <source>Print report (Ctrl+P)</source>
        <translation>打印报告 (Ctrl+P)</translation>
    </message>
    <message>
        <source>Export table (Ctrl+Shift+E)</source>
        <translation>导出表格 (Ctrl+Shift+E)</translation>
    </message>
    <message>
        <source>On time</source>
        <translation>按时率</translation>
    </message>
    <message>
        <source>Response times</source>
        <translation>响应时长</translation>
    </message>
    <message>
        <source>Backlog</source>
        <translation>积压</translation>
    </message>
    <message>
        <source>Satisfaction</source>
        <translation>满意度</translation>
    </message>
    <message>
        <source>Complaints</source>
        <translation>投诉</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>员工</translation>
    </message>
    <message>
        <source>Appointments</source>
        <translation>预约</translation>
    </message>
</context>
<context>
    <name>DemoPasswordDialog</name>
    <message>
        <source>BranchDesk – demo accounts</source>
        <translation>BranchDesk – 演示账号</translation>
    </message>
    <message>
        <source>The demo branch has an administrator, counter clerks, handlers, a manager and an archivist. Choose the password all of them will sign in with.</source>
        <translation>演示营业厅有管理员、营业员、处理人、营业厅经理和档案管理员。请设置他们共用的登录密码。</translation>
    </message>
    <message>
        <source>Create the demo (Enter)</source>
        <translation>创建演示数据 (Enter)</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>取消 (Esc)</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message numerus="yes">
        <source>%n case(s) will be exported.</source>
        <translation>
            <numerusform>将导出 %n 张工单。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) will be exported.</source>
        <translation>
            <numerusform>将导出 %n 行。</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>Excel workbook (.xlsx)</source>
        <translation>Excel 工作簿 (.xlsx)</translation>
    </message>
    <message>
        <source>CSV, UTF-8 (.csv)</source>
        <translation>CSV，UTF-8 (.csv)</translation>
    </message>
    <message>
        <source>Include full &amp;personal data (contact phone, ID and service numbers); otherwise they are masked</source>
        <translation>包含完整个人信息（联系电话、证件号码和业务号码），否则脱敏导出(&amp;P)</translation>
    </message>
    <message>
        <source>The export is recorded in the audit trail, with or without them.</source>
        <translation>无论是否包含，导出都会记入审计日志。</translation>
    </message>
    <message>
        <source>&amp;File:</source>
        <translation>文件(&amp;F)：</translation>
    </message>
    <message>
        <source>F&amp;ormat:</source>
        <translation>格式(&amp;O)：</translation>
    </message>
    <message>
        <source>Export (Enter)</source>
        <translation>导出 (Enter)</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>取消 (Esc)</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>CSV, UTF-8 (*.csv)</source>
        <translation>CSV，UTF-8 (*.csv)</translation>
    </message>
</context>
<context>
    <name>ExportTexts</name>
    <message>
        <source>Export a table</source>
        <translation>导出表格</translation>
    </message>
    <message>
        <source>Export cases</source>
        <translation>导出工单</translation>
    </message>
    <message>
        <source>Exporting cases…</source>
        <translation>正在导出工单…</translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) exported to %1.</source>
        <translation>
            <numerusform>%n 行已导出到 %1。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n case(s) exported to %1. Phone, ID and service numbers are masked.</source>
        <translation>
            <numerusform>%n 张工单已导出到 %1。电话、证件号码和业务号码已脱敏。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n case(s) exported to %1, with full personal data: keep the file safe.</source>
        <translation>
            <numerusform>%n 张工单已导出到 %1，含完整个人信息：请妥善保管该文件。</numerusform>
        </translation>
    </message>
    <message>
        <source>The export was cancelled; no file was written.</source>
        <translation>导出已取消，没有生成文件。</translation>
    </message>
</context>
<context>
    <name>FaqPanel</name>
    <message>
        <source>Search the FAQ: any words or characters, e.g. 补卡</source>
        <extracomment>How long typing must pause before the search runs (ms): one search per word, not one per keystroke.</extracomment>
        <translation>搜索常见问题：输入任意词或字，如 补卡</translation>
    </message>
    <message>
        <source>Search the FAQ</source>
        <translation>搜索常见问题</translation>
    </message>
    <message>
        <source>Answer with this article (Enter)</source>
        <translation>用此条答复 (Enter)</translation>
    </message>
    <message>
        <source>Answering %1</source>
        <translation>答复工单 %1</translation>
    </message>
    <message>
        <source>FAQ articles</source>
        <translation>常见问题</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Used</source>
        <translation>使用次数</translation>
    </message>
    <message>
        <source>Shipped</source>
        <translation>随系统提供</translation>
    </message>
    <message>
        <source>Headquarters</source>
        <translation>总部发布</translation>
    </message>
    <message>
        <source>This branch</source>
        <translation>本厅编写</translation>
    </message>
    <message>
        <source>Plans</source>
        <translation>套餐</translation>
    </message>
    <message>
        <source>Billing</source>
        <translation>账单</translation>
    </message>
    <message>
        <source>Broadband</source>
        <translation>宽带</translation>
    </message>
    <message>
        <source>Number porting</source>
        <translation>携号转网</translation>
    </message>
    <message>
        <source>SIM cards</source>
        <translation>SIM 卡</translation>
    </message>
    <message>
        <source>Tags: %1</source>
        <translation>标签：%1</translation>
    </message>
    <message>
        <source>Version %1 · %2 · %3</source>
        <translation>版本 %1 · %2 · %3</translation>
    </message>
    <message>
        <source>%1 answered.</source>
        <translation>%1 已答复。</translation>
    </message>
</context>
<context>
    <name>IncidentDialog</name>
    <message>
        <source>Record an incident</source>
        <translation>登记突发事件</translation>
    </message>
    <message>
        <source>e.g. technical/network, 宽带</source>
        <translation>例如 technical/network, 宽带</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Response level (1 = most severe)</source>
        <translation>响应级别（1 为最高）</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>发生时间</translation>
    </message>
    <message>
        <source>District</source>
        <translation>区县</translation>
    </message>
    <message>
        <source>Street</source>
        <translation>街道</translation>
    </message>
    <message>
        <source>Cell or exchange</source>
        <translation>基站或局所</translation>
    </message>
    <message>
        <source>Affected services</source>
        <translation>受影响业务</translation>
    </message>
    <message>
        <source>Scope of impact</source>
        <translation>影响范围</translation>
    </message>
    <message>
        <source>Preliminary cause</source>
        <translation>初步原因</translation>
    </message>
    <message>
        <source>Measures taken</source>
        <translation>已采取措施</translation>
    </message>
    <message>
        <source>Expected recovery in</source>
        <translation>预计恢复时长</translation>
    </message>
</context>
<context>
    <name>IncidentSuggestion</name>
    <message>
        <source>Link this complaint to it</source>
        <translation>将本投诉关联到该事件</translation>
    </message>
    <message>
        <source>An active incident matches this complaint&apos;s service and area.</source>
        <translation>有处置中的突发事件与本投诉的业务和区域相符。</translation>
    </message>
</context>
<context>
    <name>IncidentsPanel</name>
    <message>
        <source>Resolving the linked cases…</source>
        <translation>正在处理关联案件…</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>突发事件</translation>
    </message>
    <message>
        <source>New incident… (Ctrl+N)</source>
        <translation>登记突发事件… (Ctrl+N)</translation>
    </message>
    <message>
        <source>Customers notified</source>
        <translation>已通知用户</translation>
    </message>
    <message>
        <source>Progress, noted on every linked case</source>
        <translation>处置进展（将记入每件关联案件）</translation>
    </message>
    <message>
        <source>Add progress (Enter)</source>
        <translation>记录进展 (Enter)</translation>
    </message>
    <message>
        <source>Record the resolution</source>
        <translation>登记处置结果</translation>
    </message>
    <message>
        <source>Resolve linked cases and print letters</source>
        <translation>批量处理关联案件并打印告知书</translation>
    </message>
    <message>
        <source>Root cause</source>
        <translation>根本原因</translation>
    </message>
    <message>
        <source>Explanation for customers</source>
        <translation>对用户的说明</translation>
    </message>
    <message>
        <source>Compensation rule</source>
        <translation>补偿规则</translation>
    </message>
    <message>
        <source>Compensation per case (fen)</source>
        <translation>每件补偿金额（分）</translation>
    </message>
    <message>
        <source>Lessons learned</source>
        <translation>经验教训</translation>
    </message>
    <message>
        <source>Incident</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>发生时间</translation>
    </message>
    <message>
        <source>Area</source>
        <translation>区域</translation>
    </message>
    <message>
        <source>Notify customers by</source>
        <translation>通知用户时限</translation>
    </message>
    <message>
        <source>Linked cases</source>
        <translation>关联案件</translation>
    </message>
    <message>
        <source>Cause: %1</source>
        <translation>原因：%1</translation>
    </message>
    <message>
        <source>Root cause: %1</source>
        <translation>根本原因：%1</translation>
    </message>
    <message>
        <source>Timeline:</source>
        <translation>处置经过：</translation>
    </message>
    <message>
        <source>recorded</source>
        <translation>登记</translation>
    </message>
    <message>
        <source>progress</source>
        <translation>进展</translation>
    </message>
    <message>
        <source>customers notified</source>
        <translation>已通知用户</translation>
    </message>
    <message>
        <source>resolved</source>
        <translation>处置完成</translation>
    </message>
    <message>
        <source>linked cases resolved</source>
        <translation>关联案件已批量处理</translation>
    </message>
    <message>
        <source>Linked cases: %1</source>
        <translation>关联案件：%1</translation>
    </message>
</context>
<context>
    <name>IntakeDialog</name>
    <message>
        <source>New case</source>
        <translation>新建工单</translation>
    </message>
</context>
<context>
    <name>IntakeForm</name>
    <message>
        <source>Mobile or landline, e.g. 138 1234 5678</source>
        <extracomment>The kinds in the order of their shortcuts (Alt+1, Alt+2, Alt+3). Typing pauses this long before the customer lookup runs.</extracomment>
        <translation>手机或固话，如 138 1234 5678</translation>
    </message>
    <message>
        <source>Account or line concerned</source>
        <translation>涉及的账号或线路</translation>
    </message>
    <message>
        <source>Type to search</source>
        <translation>输入文字搜索</translation>
    </message>
    <message>
        <source>What happened, in one line</source>
        <translation>一句话说明发生了什么</translation>
    </message>
    <message>
        <source>What the customer wants</source>
        <translation>客户希望如何处理</translation>
    </message>
    <message>
        <source>YYYY-MM-DD</source>
        <translation>年-月-日，如 2026-11-25</translation>
    </message>
    <message>
        <source>Now, unless the case came earlier by letter or phone</source>
        <translation>默认为现在；来信或来电较早受理的，填写实际受理时间</translation>
    </message>
    <message>
        <source>Save (Enter, Ctrl+S)</source>
        <translation>保存 (Enter, Ctrl+S)</translation>
    </message>
    <message>
        <source>Save and print receipt (Ctrl+P)</source>
        <translation>保存并打印回执 (Ctrl+P)</translation>
    </message>
    <message>
        <source>Clear (Esc)</source>
        <translation>清空 (Esc)</translation>
    </message>
    <message>
        <source>Copy number (Ctrl+Shift+C)</source>
        <translation>复制编号 (Ctrl+Shift+C)</translation>
    </message>
    <message>
        <source>Case recorded:</source>
        <translation>工单已登记：</translation>
    </message>
    <message>
        <source>Discard this intake?</source>
        <translation>放弃本次受理？</translation>
    </message>
    <message>
        <source>What was typed for this customer will be lost.</source>
        <translation>为该客户填写的内容将会丢失。</translation>
    </message>
    <message>
        <source>Discard (Enter)</source>
        <translation>放弃 (Enter)</translation>
    </message>
    <message>
        <source>Keep editing (Esc)</source>
        <translation>继续填写 (Esc)</translation>
    </message>
</context>
<context>
    <name>LongWork</name>
    <message>
        <source>Cancel (Esc)</source>
        <translation>取消 (Esc)</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>BranchDesk – counter workbench</source>
        <translation>BranchDesk – 营业厅受理台</translation>
    </message>
    <message>
        <source>New case (Ctrl+N)</source>
        <translation>新建工单 (Ctrl+N)</translation>
    </message>
    <message>
        <source>Search (Ctrl+F)</source>
        <translation>查找 (Ctrl+F)</translation>
    </message>
    <message>
        <source>Refresh (F5)</source>
        <translation>刷新 (F5)</translation>
    </message>
    <message>
        <source>Export… (Ctrl+Shift+E)</source>
        <translation>导出… (Ctrl+Shift+E)</translation>
    </message>
    <message>
        <source>English (Ctrl+L)</source>
        <translation>English (Ctrl+L)</translation>
    </message>
    <message>
        <source>中文 (Ctrl+L)</source>
        <translation>中文 (Ctrl+L)</translation>
    </message>
    <message>
        <source>Settings (Ctrl+,)</source>
        <translation>设置 (Ctrl+,)</translation>
    </message>
    <message>
        <source>About (F1)</source>
        <translation>关于 (F1)</translation>
    </message>
    <message>
        <source>Staff (Ctrl+Shift+U)</source>
        <translation>员工账号 (Ctrl+Shift+U)</translation>
    </message>
    <message>
        <source>Audit trail (Ctrl+Shift+A)</source>
        <translation>审计日志 (Ctrl+Shift+A)</translation>
    </message>
    <message>
        <source>Lock / switch user (Ctrl+Shift+L)</source>
        <translation>锁定 / 切换用户 (Ctrl+Shift+L)</translation>
    </message>
    <message>
        <source>Signed in: %1</source>
        <translation>当前登录：%1</translation>
    </message>
    <message>
        <source>Search: name, text, case number, phone or service number (Ctrl+F)</source>
        <translation>查找：姓名、内容、工单编号、电话或业务号码 (Ctrl+F)</translation>
    </message>
    <message>
        <source>cases</source>
        <translation>工单</translation>
    </message>
    <message>
        <source>Saved as %1</source>
        <translation>已保存，工单编号 %1</translation>
    </message>
    <message>
        <source>About BranchDesk</source>
        <translation>关于 BranchDesk</translation>
    </message>
    <message>
        <source>BranchDesk %1 – service and complaint desk for telecom branch offices.</source>
        <translation>BranchDesk %1 – 电信营业厅服务受理与投诉处理台。</translation>
    </message>
    <message>
        <source>Deadlines</source>
        <translation>处理时限</translation>
    </message>
    <message>
        <source>%1 overdue · %2 due within 4 hours</source>
        <translation>%1 件已超时 · %2 件 4 小时内到期</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>处理中…</translation>
    </message>
</context>
<context>
    <name>MissedDialog</name>
    <message>
        <source>Record a missed appointment</source>
        <translation>记录爽约</translation>
    </message>
    <message>
        <source>Record the appointment of case %1 (%2, %3) as missed? It stays on the case&apos;s record and in the figures; the slot is freed.</source>
        <translation>确定将工单 %1 的预约（%2，%3）记为爽约吗？爽约会记入工单经过和统计，该时段随即释放。</translation>
    </message>
    <message>
        <source>&amp;Note (optional)</source>
        <translation>备注（可不填）(&amp;N)</translation>
    </message>
    <message>
        <source>Nobody at home, the customer called off …</source>
        <translation>家中无人、客户临时取消……</translation>
    </message>
    <message>
        <source>Record as missed</source>
        <translation>记为爽约</translation>
    </message>
</context>
<context>
    <name>NewPasswordFields</name>
    <message>
        <source>At least %1 characters, with at least two of: letters, digits, symbols. Not a common password, and not containing the staff number or name.</source>
        <translation>至少 %1 个字符，字母、数字、符号中至少包含两类；不能是常见密码，也不能包含员工号或姓名。</translation>
    </message>
    <message>
        <source>&amp;New password:</source>
        <translation>新密码(&amp;N)：</translation>
    </message>
    <message>
        <source>New password a&amp;gain:</source>
        <translation>再次输入新密码(&amp;G)：</translation>
    </message>
</context>
<context>
    <name>PassphraseDialog</name>
    <message>
        <source>BranchDesk – choose the database passphrase</source>
        <translation>BranchDesk – 设置数据库口令</translation>
    </message>
    <message>
        <source>Use this passphrase (Enter)</source>
        <translation>使用此口令 (Enter)</translation>
    </message>
    <message>
        <source>BranchDesk – unlock the branch data</source>
        <translation>BranchDesk – 解锁营业厅数据</translation>
    </message>
    <message>
        <source>Unlock (Enter)</source>
        <translation>解锁 (Enter)</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>取消 (Esc)</translation>
    </message>
</context>
<context>
    <name>PassphraseFields</name>
    <message>
        <source>This computer has no secure keyring, so the branch database is locked with a passphrase instead. Choose one of at least %1 characters and keep it somewhere safe: it is needed every time BranchDesk starts, and it cannot be recovered. Without it nobody can open the data, not even support.</source>
        <extracomment>The interface languages, each named in its own language so anyone can find theirs.</extracomment>
        <translation>本机没有安全的系统密钥环，因此营业厅数据库改用口令加密。请设置一个至少 %1 个字符的口令并妥善保管：每次启动 BranchDesk 都要输入，口令遗失后无法找回。没有口令，任何人（包括技术支持）都无法打开这些数据。</translation>
    </message>
    <message>
        <source>This computer has no secure keyring, so the branch database is locked with a passphrase. Type it to open the branch&apos;s data.</source>
        <translation>本机没有安全的系统密钥环，营业厅数据库使用口令加密。请输入口令以打开营业厅数据。</translation>
    </message>
    <message>
        <source>&amp;Passphrase:</source>
        <translation>口令(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Repeat passphrase:</source>
        <translation>再次输入口令(&amp;R)：</translation>
    </message>
    <message>
        <source>Sho&amp;w the characters</source>
        <translation>显示输入的字符(&amp;W)</translation>
    </message>
    <message>
        <source>The two passphrases differ.</source>
        <translation>两次输入的口令不一致。</translation>
    </message>
</context>
<context>
    <name>PrintPreviewDialog</name>
    <message>
        <source>Acceptance receipt</source>
        <translation>受理回执</translation>
    </message>
    <message>
        <source>Closure letter</source>
        <translation>处理结果告知书</translation>
    </message>
    <message>
        <source>Case record sheet</source>
        <translation>案件记录单</translation>
    </message>
    <message>
        <source>Appointment confirmation</source>
        <translation>预约确认单</translation>
    </message>
    <message>
        <source>Appointment day sheet</source>
        <translation>预约日程单</translation>
    </message>
    <message>
        <source>Archive recovery sheet</source>
        <translation>档案恢复密钥单</translation>
    </message>
    <message>
        <source>reprint %1</source>
        <translation>补打%1</translation>
    </message>
    <message>
        <source>%1 %2 – print preview</source>
        <translation>%1 %2 – 打印预览</translation>
    </message>
    <message>
        <source>Reprint %1</source>
        <translation>补打 %1</translation>
    </message>
    <message>
        <source>Print… (Ctrl+P)</source>
        <translation>打印… (Ctrl+P)</translation>
    </message>
    <message>
        <source>Save as PDF… (Ctrl+Shift+S)</source>
        <translation>另存为 PDF… (Ctrl+Shift+S)</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>关闭 (Esc)</translation>
    </message>
    <message>
        <source>Page %1 of %2</source>
        <translation>第 %1 页 / 共 %2 页</translation>
    </message>
    <message>
        <source>The printer could not be started.</source>
        <translation>无法启动打印机。</translation>
    </message>
    <message>
        <source>Save as PDF</source>
        <translation>另存为 PDF</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>PDF 文档 (*.pdf)</translation>
    </message>
    <message>
        <source>Could not save %1: %2</source>
        <translation>无法保存 %1：%2</translation>
    </message>
    <message>
        <source>Cannot print</source>
        <translation>无法打印</translation>
    </message>
</context>
<context>
    <name>QueuePanel</name>
    <message>
        <source>Work queues</source>
        <translation>工作队列</translation>
    </message>
    <message>
        <source>My cases</source>
        <translation>我的工单</translation>
    </message>
    <message>
        <source>Due today</source>
        <translation>今日到期</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>已超时</translation>
    </message>
    <message>
        <source>Nearly due</source>
        <translation>即将到期</translation>
    </message>
    <message>
        <source>Waiting for customer</source>
        <translation>等待客户</translation>
    </message>
    <message>
        <source>Under supervision</source>
        <translation>督办中</translation>
    </message>
    <message>
        <source>All cases</source>
        <translation>全部工单</translation>
    </message>
    <message>
        <source>Open cases I handle</source>
        <translation>由我处理的未结工单</translation>
    </message>
    <message>
        <source>Running deadlines that fall before midnight</source>
        <translation>今天午夜前到期的时限</translation>
    </message>
    <message>
        <source>Running deadlines already passed</source>
        <translation>已经超过的时限</translation>
    </message>
    <message>
        <source>Running deadlines within the next {hours} hours</source>
        <translation>未来 {hours} 小时内到期的时限</translation>
    </message>
    <message>
        <source>Open cases whose clock is paused for the customer</source>
        <translation>因等待客户而暂停计时的未结工单</translation>
    </message>
    <message>
        <source>Open cases escalated to a supervisor</source>
        <translation>已升级督办的未结工单</translation>
    </message>
    <message>
        <source>Every case of the branch</source>
        <translation>本营业厅的全部工单</translation>
    </message>
</context>
<context>
    <name>RescheduleDialog</name>
    <message>
        <source>Reschedule the appointment</source>
        <translation>改约</translation>
    </message>
    <message>
        <source>Case %1, booked %2 with %3</source>
        <translation>工单 %1，原预约 %2，服务人员 %3</translation>
    </message>
    <message>
        <source>(nobody named)</source>
        <translation>（未指定）</translation>
    </message>
    <message>
        <source>New &amp;date</source>
        <translation>新日期(&amp;D)</translation>
    </message>
    <message>
        <source>Start &amp;time</source>
        <translation>开始时间(&amp;T)</translation>
    </message>
    <message>
        <source>Length</source>
        <translation>时长</translation>
    </message>
    <message>
        <source>&amp;Staff or technician</source>
        <translation>服务人员(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>原因(&amp;R)</translation>
    </message>
    <message>
        <source>%1 h %2 min (kept)</source>
        <translation>%1 小时 %2 分（不变）</translation>
    </message>
    <message>
        <source>Why it is moved (the customer asked …)</source>
        <translation>改约原因（客户要求……）</translation>
    </message>
    <message>
        <source>Reschedule</source>
        <translation>改约</translation>
    </message>
</context>
<context>
    <name>ReturnVisitsPanel</name>
    <message>
        <source>Return-visit call list</source>
        <translation>回访清单</translation>
    </message>
    <message>
        <source>Customer reached</source>
        <translation>已联系上用户</translation>
    </message>
    <message>
        <source>Problem solved</source>
        <translation>问题已解决</translation>
    </message>
    <message>
        <source>Problem not solved</source>
        <translation>问题未解决</translation>
    </message>
    <message>
        <source>What the customer said</source>
        <translation>用户意见</translation>
    </message>
    <message>
        <source>Record the call (Ctrl+Enter)</source>
        <translation>登记回访结果 (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Reveal phone number</source>
        <translation>显示完整电话</translation>
    </message>
    <message>
        <source>Why the case is handled again</source>
        <translation>重新处理原因</translation>
    </message>
    <message>
        <source>Reopen the case</source>
        <translation>重新处理案件</translation>
    </message>
    <message>
        <source>Reached</source>
        <translation>是否联系上</translation>
    </message>
    <message>
        <source>Satisfaction (1-5)</source>
        <translation>满意度（1-5）</translation>
    </message>
    <message>
        <source>Solved</source>
        <translation>是否解决</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>意见</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>回访原因</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>回访期限</translation>
    </message>
    <message>
        <source>Calls so far</source>
        <translation>已拨打次数</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <source>Return visit: the customer is not satisfied</source>
        <translation>回访：用户不满意</translation>
    </message>
</context>
<context>
    <name>SegmentCasesDialog</name>
    <message numerus="yes">
        <source>%n case(s)</source>
        <translation>
            <numerusform>%n 个案件</numerusform>
        </translation>
    </message>
    <message>
        <source>(the newest %1 shown; Export takes them all)</source>
        <translation>（显示最新 %1 个；导出包含全部）</translation>
    </message>
    <message>
        <source>Export… (Ctrl+Shift+E)</source>
        <translation>导出… (Ctrl+Shift+E)</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>关闭 (Esc)</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>BranchDesk – settings</source>
        <translation>BranchDesk – 设置</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Branch</source>
        <translation>营业厅(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Data</source>
        <translation>数据(&amp;D)</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>关闭 (Esc)</translation>
    </message>
    <message>
        <source>Ab&amp;out</source>
        <translation>关于(&amp;O)</translation>
    </message>
    <message>
        <source>Letterhead logo</source>
        <extracomment>The rows of the About tab, in order.</extracomment>
        <translation>信笺标志</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 图片 (*.png)</translation>
    </message>
    <message>
        <source>The logo will be printed on the letterhead.</source>
        <translation>打印文书时将在信笺抬头印上该标志。</translation>
    </message>
    <message>
        <source>No logo is printed.</source>
        <translation>文书不再印标志。</translation>
    </message>
    <message>
        <source>Rebuilding the search index…</source>
        <translation>正在重建搜索索引……</translation>
    </message>
    <message>
        <source>The search index was rebuilt from %1 cases.</source>
        <translation>已根据 %1 件工单重建搜索索引。</translation>
    </message>
    <message>
        <source>Interface lan&amp;guage:</source>
        <translation>界面语言(&amp;G)：</translation>
    </message>
    <message>
        <source>Every open window switches at once; nothing you have typed is lost. The choice is saved as this branch&apos;s language, used whenever BranchDesk starts here.</source>
        <translation>所有打开的窗口会立即切换语言，已输入的内容不会丢失。此选择会保存为本营业厅的语言，以后在本机启动 BranchDesk 时都使用该语言。</translation>
    </message>
    <message>
        <source>Use this language (Ctrl+S)</source>
        <translation>使用此语言 (Ctrl+S)</translation>
    </message>
    <message>
        <source>Branch code:</source>
        <translation>营业厅编码：</translation>
    </message>
    <message>
        <source>Branch &amp;name:</source>
        <translation>营业厅名称(&amp;N)：</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>地址(&amp;A)：</translation>
    </message>
    <message>
        <source>P&amp;hone:</source>
        <translation>电话(&amp;H)：</translation>
    </message>
    <message>
        <source>printed on receipts, e.g. 020-12345678</source>
        <translation>打印在受理回执上，如 020-12345678</translation>
    </message>
    <message>
        <source>&amp;Lock after idle:</source>
        <translation>闲置锁定时间(&amp;L)：</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <source>With no key pressed and no mouse moved for this long, the workbench locks; what was typed is kept for the same person.</source>
        <translation>在这段时间内没有按键或鼠标操作，工作台就会锁定；已输入的内容为同一人保留。</translation>
    </message>
    <message>
        <source>The branch code is part of every case number and is known to headquarters, so it cannot be changed here.</source>
        <translation>营业厅编码是每个工单编号的组成部分，总部也以它识别本营业厅，因此不能在这里修改。</translation>
    </message>
    <message>
        <source>Save branch details (Ctrl+S)</source>
        <translation>保存营业厅信息 (Ctrl+S)</translation>
    </message>
    <message>
        <source>Letterhead logo…</source>
        <translation>信笺标志……</translation>
    </message>
    <message>
        <source>Remove the logo</source>
        <translation>移除标志</translation>
    </message>
    <message>
        <source>Data directory:</source>
        <translation>数据目录：</translation>
    </message>
    <message>
        <source>Database file:</source>
        <translation>数据库文件：</translation>
    </message>
    <message>
        <source>Database key:</source>
        <translation>数据库密钥：</translation>
    </message>
    <message>
        <source>Log file:</source>
        <translation>日志文件：</translation>
    </message>
    <message>
        <source>Rebuild the search index…</source>
        <translation>重建搜索索引……</translation>
    </message>
    <message>
        <source>Reads every case again and rebuilds the search from it. Cancelling leaves the search as it was.</source>
        <translation>重新读取全部工单并据此重建搜索。中途取消不会改变现有搜索。</translation>
    </message>
    <message>
        <source>BranchDesk:</source>
        <translation>BranchDesk：</translation>
    </message>
    <message>
        <source>Python:</source>
        <translation>Python：</translation>
    </message>
    <message>
        <source>Interface toolkit:</source>
        <translation>界面框架：</translation>
    </message>
    <message>
        <source>Database engine:</source>
        <translation>数据库引擎：</translation>
    </message>
    <message>
        <source>Working-day calendar:</source>
        <translation>工作日日历：</translation>
    </message>
    <message>
        <source>Calendar years:</source>
        <translation>日历覆盖年份：</translation>
    </message>
    <message>
        <source>Time limit policy:</source>
        <translation>时限规则：</translation>
    </message>
    <message>
        <source>Case category catalogue:</source>
        <translation>工单分类目录：</translation>
    </message>
    <message>
        <source>System keyring</source>
        <translation>系统密钥环</translation>
    </message>
    <message>
        <source>Passphrase (no secure keyring on this computer)</source>
        <translation>口令（本机没有安全的系统密钥环）</translation>
    </message>
    <message>
        <source>The database is encrypted; its key is kept in this computer&apos;s secure keyring. A copy of the data directory cannot be opened on another computer.</source>
        <translation>数据库已加密，密钥保存在本机安全的系统密钥环中。把数据目录复制到其他电脑上是打不开的。</translation>
    </message>
    <message>
        <source>The database is encrypted with a key made from the passphrase typed at start. The passphrase cannot be recovered: keep it safe.</source>
        <translation>数据库已加密，密钥由启动时输入的口令生成。口令无法找回，请妥善保管。</translation>
    </message>
    <message>
        <source>The calendar does not know %1 yet. Until headquarters publishes it, days in %1 count Monday to Friday and deadlines reaching into it are provisional.</source>
        <translation>日历中还没有 %1 年的数据。总部发布之前，%1 年按周一至周五计算工作日，跨入该年的时限均为暂定时限。</translation>
    </message>
    <message>
        <source>Saved: BranchDesk starts in this language from now on.</source>
        <translation>已保存：今后 BranchDesk 将以此语言启动。</translation>
    </message>
    <message>
        <source>Branch details saved.</source>
        <translation>营业厅信息已保存。</translation>
    </message>
    <message>
        <source>Switched for now; an administrator sets the branch&apos;s language.</source>
        <translation>已在本次使用中切换；营业厅的默认语言由管理员设置。</translation>
    </message>
</context>
<context>
    <name>SetupDialog</name>
    <message>
        <source>BranchDesk – set up this branch</source>
        <translation>BranchDesk – 营业厅首次设置</translation>
    </message>
    <message>
        <source>There is no branch data on this computer yet. Enter the branch and its first administrator. The branch code is part of every case number and cannot be changed later.</source>
        <translation>本机还没有营业厅数据。请填写营业厅信息和首位管理员。营业厅编码是每个工单编号的组成部分，设置后不能更改。</translation>
    </message>
    <message>
        <source>&amp;Data directory:</source>
        <translation>数据目录(&amp;D)：</translation>
    </message>
    <message>
        <source>Branch</source>
        <translation>营业厅</translation>
    </message>
    <message>
        <source>First administrator</source>
        <translation>首位管理员</translation>
    </message>
    <message>
        <source>Branch &amp;code:</source>
        <translation>营业厅编码(&amp;C)：</translation>
    </message>
    <message>
        <source>Branch &amp;name:</source>
        <translation>营业厅名称(&amp;N)：</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>地址(&amp;A)：</translation>
    </message>
    <message>
        <source>P&amp;hone:</source>
        <translation>电话(&amp;H)：</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <source>&amp;Staff number:</source>
        <translation>员工编号(&amp;S)：</translation>
    </message>
    <message>
        <source>Na&amp;me:</source>
        <translation>姓名(&amp;M)：</translation>
    </message>
    <message>
        <source>two capital letters and four digits, e.g. GZ0012</source>
        <translation>2 个大写字母加 4 位数字，如 GZ0012</translation>
    </message>
    <message>
        <source>e.g. Guangzhou Tianhe branch</source>
        <translation>如：广州天河营业厅</translation>
    </message>
    <message>
        <source>printed on receipts, e.g. 020-12345678</source>
        <translation>打印在受理回执上，如 020-12345678</translation>
    </message>
    <message>
        <source>e.g. A001</source>
        <translation>如：A001</translation>
    </message>
    <message>
        <source>Database key</source>
        <translation>数据库密钥</translation>
    </message>
    <message>
        <source>The branch database is encrypted. Its key is kept in this computer&apos;s secure keyring: nobody needs to type a passphrase.</source>
        <translation>营业厅数据库已加密，密钥保存在本机安全的系统密钥环中，无需输入口令。</translation>
    </message>
    <message>
        <source>Create the branch (Enter)</source>
        <translation>创建营业厅 (Enter)</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>取消 (Esc)</translation>
    </message>
</context>
<context>
    <name>SignInScreen</name>
    <message>
        <source>BranchDesk – sign in</source>
        <translation>BranchDesk – 登录</translation>
    </message>
    <message>
        <source>BranchDesk</source>
        <translation>BranchDesk</translation>
    </message>
    <message>
        <source>Sign in with your staff number and password.</source>
        <translation>请用员工号和密码登录。</translation>
    </message>
    <message>
        <source>Locked. %1 is signed in; their unsaved work is kept. Type the password to go on, or let someone else sign in.</source>
        <translation>已锁定。当前登录的是 %1，未保存的内容都已保留。输入密码继续，或让其他人登录。</translation>
    </message>
    <message>
        <source>Someone else signs in here. What %1 left unsaved is put aside for them.</source>
        <translation>换人登录。%1 未保存的内容会单独保留，待其回来时恢复。</translation>
    </message>
    <message>
        <source>&amp;Staff number:</source>
        <translation>员工号(&amp;S)：</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <source>Unlock (Enter)</source>
        <translation>解锁 (Enter)</translation>
    </message>
    <message>
        <source>Sign in (Enter)</source>
        <translation>登录 (Enter)</translation>
    </message>
    <message>
        <source>Switch user (Ctrl+Shift+L)</source>
        <translation>切换用户 (Ctrl+Shift+L)</translation>
    </message>
    <message>
        <source>Back (Esc)</source>
        <translation>返回 (Esc)</translation>
    </message>
    <message>
        <source>English (Ctrl+L)</source>
        <translation>English (Ctrl+L)</translation>
    </message>
    <message>
        <source>中文 (Ctrl+L)</source>
        <translation>中文 (Ctrl+L)</translation>
    </message>
    <message>
        <source>Demo accounts (password: the one chosen for the demo):</source>
        <translation>演示账号（密码为创建演示数据时设置的密码）：</translation>
    </message>
</context>
<context>
    <name>StaffDialog</name>
    <message>
        <source>BranchDesk – staff accounts</source>
        <translation>BranchDesk – 员工账号</translation>
    </message>
    <message>
        <source>Staff number</source>
        <translation>员工号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账号状态</translation>
    </message>
    <message>
        <source>Locked until</source>
        <translation>锁定至</translation>
    </message>
    <message>
        <source>Own password</source>
        <translation>本人密码</translation>
    </message>
    <message>
        <source>Last sign-in</source>
        <translation>上次登录</translation>
    </message>
    <message>
        <source>Add… (Ctrl+N)</source>
        <translation>新增… (Ctrl+N)</translation>
    </message>
    <message>
        <source>Reset password… (Ctrl+R)</source>
        <translation>重置密码… (Ctrl+R)</translation>
    </message>
    <message>
        <source>Roles… (Ctrl+E)</source>
        <translation>角色… (Ctrl+E)</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>关闭 (Esc)</translation>
    </message>
    <message>
        <source>active</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>not yet (one-time code)</source>
        <translation>尚未设置（一次性验证码）</translation>
    </message>
    <message>
        <source>set</source>
        <translation>已设置</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未登录</translation>
    </message>
    <message>
        <source>Enable (Ctrl+D)</source>
        <translation>启用 (Ctrl+D)</translation>
    </message>
    <message>
        <source>Disable (Ctrl+D)</source>
        <translation>停用 (Ctrl+D)</translation>
    </message>
    <message>
        <source>Roles of %1 saved.</source>
        <translation>已保存 %1 的角色。</translation>
    </message>
    <message>
        <source>%1 has a new one-time code. Their command-line tokens no longer work: with their new password they make new ones.</source>
        <translation>已为 %1 生成新的一次性验证码。其命令行令牌已全部失效：设置新密码后可重新生成。</translation>
    </message>
    <message>
        <source>%1 has a new one-time code.</source>
        <translation>已为 %1 生成新的一次性验证码。</translation>
    </message>
    <message>
        <source>%1 can sign in again.</source>
        <translation>%1 已可重新登录。</translation>
    </message>
    <message>
        <source>%1 is disabled.</source>
        <translation>%1 已停用。</translation>
    </message>
</context>
<context>
    <name>SupervisionLedgerPanel</name>
    <message>
        <source>Only cases I supervise</source>
        <translation>只看我督办的案件</translation>
    </message>
    <message>
        <source>Refresh (F5)</source>
        <translation>刷新 (F5)</translation>
    </message>
    <message>
        <source>Report progress (Enter)</source>
        <translation>报告进展 (Enter)</translation>
    </message>
    <message>
        <source>Progress of the selected case</source>
        <translation>所选案件的进展</translation>
    </message>
    <message>
        <source>Supervision ledger</source>
        <translation>督办台账</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>督办人</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>督办原因</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>Latest progress</source>
        <translation>最新进展</translation>
    </message>
    <message>
        <source>Next report due</source>
        <translation>下次报告期限</translation>
    </message>
    <message>
        <source>Missed</source>
        <translation>漏报</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>No report yet</source>
        <translation>尚未报告</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>逾期</translation>
    </message>
    <message>
        <source>On track</source>
        <translation>正常</translation>
    </message>
    <message numerus="yes">
        <source>%n progress report(s) to chase</source>
        <translation>
            <numerusform>%n 份进展报告待催办</numerusform>
        </translation>
    </message>
    <message>
        <source>Supervisor: %1</source>
        <translation>督办人：%1</translation>
    </message>
    <message>
        <source>Source: %1</source>
        <translation>来源：%1</translation>
    </message>
    <message>
        <source>Departments: %1</source>
        <translation>协办部门：%1</translation>
    </message>
    <message>
        <source>Progress reports:</source>
        <translation>进展报告：</translation>
    </message>
    <message>
        <source>Missed reports (due): %1</source>
        <translation>漏报（应报时间）：%1</translation>
    </message>
</context>
<context>
    <name>SyncStatusPanel</name>
    <message>
        <source>&amp;Sync now</source>
        <translation>立即同步(&amp;S)</translation>
    </message>
    <message>
        <source>Send waiting events to headquarters and fetch its instructions</source>
        <translation>把待上传的事件发送到总部，并取回总部指令</translation>
    </message>
    <message numerus="yes">
        <source>Waiting to be sent: %n event(s)</source>
        <translation>
            <numerusform>待上传：%n 条事件</numerusform>
        </translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <source>Last successful sync: %1</source>
        <translation>上次同步成功：%1</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>正在同步…</translation>
    </message>
</context>
<context>
    <name>ToolWindows</name>
    <message>
        <source>Archive</source>
        <translation>档案</translation>
    </message>
    <message>
        <source>Supervision ledger</source>
        <translation>督办台账</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>突发事件</translation>
    </message>
    <message>
        <source>Return visits</source>
        <translation>回访</translation>
    </message>
    <message>
        <source>Headquarters sync</source>
        <translation>与总部同步</translation>
    </message>
    <message>
        <source>FAQ</source>
        <translation>常见问题</translation>
    </message>
    <message>
        <source>Appointment book</source>
        <translation>预约簿</translation>
    </message>
    <message>
        <source>Quality dashboard</source>
        <translation>服务质量看板</translation>
    </message>
    <message>
        <source>More</source>
        <translation>更多</translation>
    </message>
    <message>
        <source>(nobody named)</source>
        <translation>（未指定）</translation>
    </message>
    <message numerus="yes">
        <source>%n appointment(s) within the hour, next %1 %2 (Ctrl+Shift+B)</source>
        <translation>
            <numerusform>%n 个预约将在一小时内开始，下一个 %1 %2 (Ctrl+Shift+B)</numerusform>
        </translation>
    </message>
    <message>
        <source>HQ: not enrolled</source>
        <translation>总部：未登记</translation>
    </message>
    <message>
        <source>HQ: syncing…</source>
        <translation>总部：正在同步…</translation>
    </message>
    <message numerus="yes">
        <source>HQ: %n waiting, a problem (Ctrl+Shift+Y)</source>
        <translation>
            <numerusform>总部：%n 条待上传，同步有问题（Ctrl+Shift+Y）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>HQ: %n waiting</source>
        <translation>
            <numerusform>总部：%n 条待上传</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>_CaseRows</name>
    <message>
        <source>Case</source>
        <translation>案件编号</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Grade</source>
        <translation>等级</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>分类</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>承办人</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>受理时间</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
</context>
<context>
    <name>_EventDialog</name>
    <message>
        <source>Cancel (Esc)</source>
        <translation>取消 (Esc)</translation>
    </message>
</context>
</TS>
