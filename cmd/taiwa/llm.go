package main

import (
	"log/slog"
	"net/http"

	openai "github.com/sashabaranov/go-openai"

	"github.com/taiwa-coach/taiwa/assistant/llm"
	"github.com/taiwa-coach/taiwa/knowledge"
)

// defaultChatModel is the chat model used when an endpoint or key is
// configured without one.
const defaultChatModel = "gpt-4o-mini"

// newChatModel returns the coach's chat model, or nil for offline mode.
func newChatModel(c llmConfig, logger *slog.Logger) *llm.Client {
	model := c.ChatModel
	if model == "" && (c.BaseURL != "" || c.APIKey != "") {
		model = defaultChatModel
	}
	if model == "" || model == "offline" {
		return nil
	}
	return llm.New(llm.Config{BaseURL: c.BaseURL, APIKey: c.APIKey, Model: model, Timeout: c.Timeout,
		FirstToken: c.FirstToken, Idle: c.Idle, Logger: logger})
}

// newOpenAIClient returns a client for the configured OpenAI-compatible
// endpoint, or nil when no model is configured (offline mode).
func newOpenAIClient(c llmConfig) *openai.Client {
	if c.ChatModel == "" && c.EmbedModel == "" {
		return nil
	}
	cfg := openai.DefaultConfig(c.APIKey)
	if c.BaseURL != "" {
		cfg.BaseURL = c.BaseURL
	}
	cfg.HTTPClient = &http.Client{Timeout: c.Timeout}
	return openai.NewClientWithConfig(cfg)
}

// newEmbedder returns the embedder of the configuration, or nil for
// lexical-only retrieval.
func newEmbedder(c llmConfig, client *openai.Client) knowledge.Embedder {
	if c.EmbedModel == "" || client == nil {
		return nil
	}
	return knowledge.NewOpenAIEmbedder(client, c.EmbedModel, c.EmbedDims)
}
