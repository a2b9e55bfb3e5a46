-- An index led by every foreign key's columns. A delete that cascades
-- (erasing a member reaches every table that names them or their
-- sessions) looks the referencing rows up by exactly those columns; the
-- existing indexes put manager_id between org_id and member_id, so each
-- cascade read the organization's whole history: erasing a member with
-- 100 sessions among 1M took 5-6 s. A catalog test (TestCatalog) keeps
-- every future foreign key indexed.

-- +goose Up
CREATE INDEX sessions_member_fk ON sessions (org_id, member_id);
CREATE INDEX actions_member_fk ON actions (org_id, member_id);
CREATE INDEX actions_session_fk ON actions (org_id, session_id);
CREATE INDEX answer_feedback_member_fk ON answer_feedback (org_id, member_id);
CREATE INDEX chat_messages_member_fk ON chat_messages (org_id, member_id);
CREATE INDEX chat_messages_thread_fk ON chat_messages (org_id, thread_id);
CREATE INDEX chat_threads_member_fk ON chat_threads (org_id, member_id);
CREATE INDEX coach_answers_member_fk ON coach_answers (org_id, member_id);
CREATE INDEX coach_answers_session_fk ON coach_answers (org_id, session_id);
CREATE INDEX documents_author_fk ON documents (org_id, author_id);
CREATE INDEX member_links_member_fk ON member_links (org_id, member_id);
CREATE INDEX member_links_session_fk ON member_links (org_id, session_id);
CREATE INDEX session_embeddings_member_fk ON session_embeddings (org_id, member_id);
CREATE INDEX session_feedback_member_fk ON session_feedback (org_id, member_id);
CREATE INDEX session_reflections_member_fk ON session_reflections (org_id, member_id);
CREATE INDEX session_reflections_session_fk ON session_reflections (org_id, session_id);

-- +goose Down
DROP INDEX sessions_member_fk, actions_member_fk, actions_session_fk, answer_feedback_member_fk,
	chat_messages_member_fk, chat_messages_thread_fk, chat_threads_member_fk, coach_answers_member_fk,
	coach_answers_session_fk, documents_author_fk, member_links_member_fk, member_links_session_fk,
	session_embeddings_member_fk, session_feedback_member_fk, session_reflections_member_fk,
	session_reflections_session_fk;
