-- The OpenAI-compatible chat API (api/openai.go) is stateless: a client
-- sends the whole conversation with every request. A thread keeps the
-- SHA-256 of the conversation as that client last held it (the manager,
-- the model, each turn's role and text), so that the next request, which
-- carries the same conversation plus one more message, finds its thread
-- and continues it instead of storing the history again.
--
-- A key names the latest state of one thread: the application moves it
-- from thread to thread, never shares it, so it is unique in an
-- organization (it already includes the manager). Row security is that of
-- chat_threads (own_history): a manager finds only their own threads.

-- +goose Up
ALTER TABLE chat_threads ADD COLUMN client_key bytea CHECK (octet_length(client_key) = 32);
CREATE UNIQUE INDEX chat_threads_client_key ON chat_threads (org_id, client_key) WHERE client_key IS NOT NULL;

-- +goose Down
DROP INDEX chat_threads_client_key;
ALTER TABLE chat_threads DROP COLUMN client_key;
