package knowledge

import "context"

// Embedder turns texts into vectors. Every vector of one embedder has the
// same length. llm.Embedder is the one for OpenAI-compatible endpoints.
type Embedder interface {
	// Model names the model; vectors are stored per model.
	Model() string
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}
