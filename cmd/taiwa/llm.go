package main

import (
	"net/http"

	openai "github.com/sashabaranov/go-openai"

	"github.com/taiwa-coach/taiwa/knowledge"
)

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
