<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>AppointmentBookPanel</name>
    <message numerus="yes">
        <source>%n appointment(s) still to keep that day</source>
        <translation>
            <numerusform>%n appointment still to keep that day</numerusform>
            <numerusform>%n appointments still to keep that day</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ArchivePanel</name>
    <message numerus="yes">
        <source>Archiving %n case(s)…</source>
        <translation>
            <numerusform>Archiving %n case…</numerusform>
            <numerusform>Archiving %n cases…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Approved: %n</source>
        <translation>
            <numerusform>Approved: %n</numerusform>
            <numerusform>Approved: %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Refused (see the review): %n</source>
        <translation>
            <numerusform>Refused (see the review): %n</numerusform>
            <numerusform>Refused (see the review): %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Sealed: %n</source>
        <translation>
            <numerusform>Sealed: %n</numerusform>
            <numerusform>Sealed: %n</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CustomerLookup</name>
    <message numerus="yes">
        <source>Earlier cases: %n</source>
        <translation>
            <numerusform>Earlier cases: %n</numerusform>
            <numerusform>Earlier cases: %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Repeat complaint: %n complaint(s) in the last %1 days</source>
        <translation>
            <numerusform>Repeat complaint: %n complaint in the last %1 days</numerusform>
            <numerusform>Repeat complaint: %n complaints in the last %1 days</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DashboardPanel</name>
    <message numerus="yes">
        <source>Satisfaction (%n answer(s))</source>
        <translation>
            <numerusform>Satisfaction (%n answer)</numerusform>
            <numerusform>Satisfaction (%n answers)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message numerus="yes">
        <source>%n case(s) will be exported.</source>
        <translation>
            <numerusform>%n case will be exported.</numerusform>
            <numerusform>%n cases will be exported.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) will be exported.</source>
        <translation>
            <numerusform>%n row will be exported.</numerusform>
            <numerusform>%n rows will be exported.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ExportTexts</name>
    <message numerus="yes">
        <source>%n row(s) exported to %1.</source>
        <translation>
            <numerusform>%n row exported to %1.</numerusform>
            <numerusform>%n rows exported to %1.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n case(s) exported to %1. Phone, ID and service numbers are masked.</source>
        <translation>
            <numerusform>%n case exported to %1. Phone, ID and service numbers are masked.</numerusform>
            <numerusform>%n cases exported to %1. Phone, ID and service numbers are masked.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n case(s) exported to %1, with full personal data: keep the file safe.</source>
        <translation>
            <numerusform>%n case exported to %1, with full personal data: keep the file safe.</numerusform>
            <numerusform>%n cases exported to %1, with full personal data: keep the file safe.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SegmentCasesDialog</name>
    <message numerus="yes">
        <source>%n case(s)</source>
        <translation>
            <numerusform>%n case</numerusform>
            <numerusform>%n cases</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SupervisionLedgerPanel</name>
    <message numerus="yes">
        <source>%n progress report(s) to chase</source>
        <translation>
            <numerusform>%n progress report to chase</numerusform>
            <numerusform>%n progress reports to chase</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SyncStatusPanel</name>
    <message numerus="yes">
        <source>Waiting to be sent: %n event(s)</source>
        <translation>
            <numerusform>Waiting to be sent: %n event</numerusform>
            <numerusform>Waiting to be sent: %n events</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ToolWindows</name>
    <message numerus="yes">
        <source>%n appointment(s) within the hour, next %1 %2 (Ctrl+Shift+B)</source>
        <translation>
            <numerusform>%n appointment within the hour, next %1 %2 (Ctrl+Shift+B)</numerusform>
            <numerusform>%n appointments within the hour, next %1 %2 (Ctrl+Shift+B)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>HQ: %n waiting, a problem (Ctrl+Shift+Y)</source>
        <translation>
            <numerusform>HQ: %n waiting, a problem (Ctrl+Shift+Y)</numerusform>
            <numerusform>HQ: %n waiting, a problem (Ctrl+Shift+Y)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>HQ: %n waiting</source>
        <translation>
            <numerusform>HQ: %n waiting</numerusform>
            <numerusform>HQ: %n waiting</numerusform>
        </translation>
    </message>
</context>
</TS>
