package main

import (
	"log/slog"
	"time"

	"github.com/taiwa-coach/taiwa/assistant/llm"
	"github.com/taiwa-coach/taiwa/knowledge"
)

// defaultChatModel is the chat model used when an endpoint or key is
// configured without one.
const defaultChatModel = "gpt-4o-mini"

// models are the configured chat and embedding models, both on one
// endpoint (one HTTP client, one retry and breaker policy); either is nil
// in offline mode.
type models struct {
	endpoint *llm.Endpoint
	chat     *llm.Client
	embed    *llm.Embedder
	meter    *llm.Meter
}

// newModels returns the models of the configuration; onTrip (may be nil)
// hears of each breaker that opens.
func newModels(c llmConfig, logger *slog.Logger, onTrip func(model, kind string, until time.Time)) models {
	chat := c.ChatModel
	if chat == "" && (c.BaseURL != "" || c.APIKey != "") {
		chat = defaultChatModel
	}
	if chat == "offline" {
		chat = ""
	}
	if chat == "" && c.EmbedModel == "" {
		return models{}
	}
	endpoint := llm.NewEndpoint(llm.Config{BaseURL: c.BaseURL, APIKey: c.APIKey, Timeout: c.Timeout,
		FirstToken: c.FirstToken, Idle: c.Idle, Logger: logger, OnTrip: onTrip})
	m := models{endpoint: endpoint, meter: endpoint.Meter()}
	if chat != "" {
		m.chat = endpoint.Chat(chat)
	}
	if c.EmbedModel != "" {
		m.embed = endpoint.Embedder(c.EmbedModel, c.EmbedDims)
	}
	return m
}

// embedder is the embedding model as knowledge and history take it: a nil
// interface, not a nil pointer, when none is configured.
func (m models) embedder() knowledge.Embedder {
	if m.embed == nil {
		return nil
	}
	return m.embed
}
