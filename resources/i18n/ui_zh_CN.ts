<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
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
        <source>Creating demo cases…</source>
        <translation>正在生成演示工单…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
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
        <source>Search: name, text, case number, phone or service number (Ctrl+F)</source>
        <translation>查找：姓名、内容、工单编号、电话或业务号码 (Ctrl+F)</translation>
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
</TS>
