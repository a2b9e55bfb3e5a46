-- Model budget held by calls in flight: each call reserves the most it can
-- cost before it starts and settles to what it used after, so that answers
-- running at once cannot spend past the day's budget together.

-- +goose Up
ALTER TABLE llm_usage ADD COLUMN reserved_tokens bigint NOT NULL DEFAULT 0 CHECK (reserved_tokens >= 0);

-- +goose Down
ALTER TABLE llm_usage DROP COLUMN reserved_tokens;
