import Store

extension TrustSchema {
    static let alerts: [Migration] = [
        Migration(version: 700, name: "alerts: incidents and their e-mails", sql: """
            -- One row per incident: opened when a rule starts to hold for its key, resolved when
            -- it stops. At most one open incident per key, so a condition that persists is one
            -- incident and one e-mail, however many passes see it.
            CREATE TABLE alert_incidents (
                id INTEGER PRIMARY KEY,
                key TEXT NOT NULL,
                rule TEXT NOT NULL,
                summary TEXT NOT NULL,
                opened_at TEXT NOT NULL,
                resolved_at TEXT
            );
            CREATE UNIQUE INDEX alert_incidents_open ON alert_incidents (key) WHERE resolved_at IS NULL;
            -- One e-mail per incident, event and operator, committed pending with the incident's
            -- change and sent by the alert delivery engine. Subject and text are stored, so a
            -- resend after a crash is the message first sent.
            CREATE TABLE alert_deliveries (
                id INTEGER PRIMARY KEY,
                incident_id INTEGER NOT NULL REFERENCES alert_incidents (id),
                event TEXT NOT NULL CHECK (event IN ('opened', 'resolved')),
                email TEXT NOT NULL,
                name TEXT NOT NULL,
                subject TEXT NOT NULL,
                text TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at TEXT,
                reply TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT,
                UNIQUE (incident_id, event, email)
            );
            CREATE INDEX alert_deliveries_pending ON alert_deliveries (id) WHERE status = 'pending';
            """),
    ]
}
