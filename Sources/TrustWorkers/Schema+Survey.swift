import Store

extension TrustSchema {
    /// Survey responses are stored one row per response and one row per answer, so results
    /// can be recounted for any grouping and a later export can add only what is new. Nothing
    /// here says who answered: the response key is a keyed hash of Forms' row ID, and e-mail
    /// addresses, names and times are never stored.
    static let survey: [Migration] = [
        Migration(version: 200, name: "surveys: responses, answers, you-said summaries", sql: """
            CREATE TABLE survey_responses (
                id INTEGER PRIMARY KEY,
                survey_id TEXT NOT NULL,
                -- HMAC-SHA256 of Forms' ID under the domain forms:<survey-id>: the same response
                -- in a later, overlapping export has the same key, and the ID itself is not kept.
                response_key TEXT NOT NULL,
                academy TEXT NOT NULL,
                -- The export the response first arrived in, and when that was processed.
                message_id TEXT NOT NULL,
                imported_at TEXT NOT NULL,
                UNIQUE (survey_id, response_key)
            );
            CREATE TABLE survey_answers (
                response_id INTEGER NOT NULL REFERENCES survey_responses (id) ON DELETE CASCADE,
                question_id TEXT NOT NULL,
                -- 0, or the option's position among a multi question's chosen options.
                ordinal INTEGER NOT NULL,
                likert INTEGER CHECK (likert BETWEEN 1 AND 5),
                choice TEXT,
                -- Free text with e-mail addresses and phone numbers already removed.
                comment TEXT,
                PRIMARY KEY (response_id, question_id, ordinal)
            ) WITHOUT ROWID;
            -- The latest "you said" per survey, for the newsletter.
            CREATE TABLE survey_summaries (
                survey_id TEXT PRIMARY KEY,
                audience TEXT NOT NULL,
                title TEXT NOT NULL,
                you_said TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            """),
    ]
}
