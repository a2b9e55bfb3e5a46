// Package openaitest is an in-process OpenAI-compatible server for tests:
// chat completions with and without streaming, embeddings, scripted errors
// (429 with Retry-After, 500, quota), slow streams and streams that break.
// It records every chat request, so tests can check what a model was sent.
package openaitest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Request is a chat request as the server received it.
type Request = openai.ChatCompletionRequest

// Reply is how the server answers one chat request.
type Reply struct {
	Text string // the answer
	// Status other than 200 answers with an OpenAI error body: Code is its
	// code (e.g. rate_limit_exceeded, insufficient_quota) and RetryAfter
	// its Retry-After header.
	Status     int
	Code       string
	RetryAfter string
	// Streams only: the answer goes out ChunkRunes runes at a time (default
	// 4) with ChunkDelay between chunks; BreakAfter > 0 drops the
	// connection after that many chunks, with no finish reason or [DONE].
	ChunkRunes int
	ChunkDelay time.Duration
	BreakAfter int
	// Gate, when set, holds the rest of the stream after the first chunk
	// until it is closed: a test can see the first piece arrive while the
	// model is still "writing".
	Gate <-chan struct{}
	// Hang holds the request, sending nothing, until the client gives up.
	Hang bool
	// NoFinishReason ends a stream with [DONE] alone, as some compatible
	// servers do.
	NoFinishReason bool
	// ToolCall answers with a call to a tool of that name and no text.
	ToolCall string
}

// Server is the fake endpoint. Point a client at BaseURL().
type Server struct {
	*httptest.Server
	dims int

	mu       sync.Mutex
	answer   func(openai.ChatCompletionRequest) Reply
	queue    []Reply
	requests []openai.ChatCompletionRequest
	canceled int
	// embedFault, when set, answers embedding requests in place of
	// vectors when it returns a Reply with Status or Hang.
	embedFault  func() Reply
	embedInputs [][]string
}

// FailEmbeddings makes every embedding request get r (a Status or Hang);
// a zero Reply makes them succeed again.
func (s *Server) FailEmbeddings(r Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.embedFault = func() Reply { return r }
}

// EmbedRequests returns the inputs of the embedding requests received so
// far, one slice per request.
func (s *Server) EmbedRequests() [][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]string(nil), s.embedInputs...)
}

// NewServer starts a server that answers chat requests with answer (nil:
// "ok") and embeds with dims-dimensional vectors (0: 64). It stops when
// the test ends.
func NewServer(t testing.TB, answer func(openai.ChatCompletionRequest) Reply) *Server {
	s := &Server{answer: answer, dims: 64}
	if s.answer == nil {
		s.answer = func(openai.ChatCompletionRequest) Reply { return Reply{Text: "ok"} }
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.chat)
	mux.HandleFunc("POST /v1/embeddings", s.embeddings)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// BaseURL is the API URL to configure a client with.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Queue makes the next chat requests get these replies, in order, before
// the answer function is used again.
func (s *Server) Queue(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, replies...)
}

// Requests returns the chat requests received so far.
func (s *Server) Requests() []openai.ChatCompletionRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]openai.ChatCompletionRequest(nil), s.requests...)
}

// Canceled counts streams whose client went away before the end.
func (s *Server) Canceled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.canceled
}

func (s *Server) next(req openai.ChatCompletionRequest) Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)
	if len(s.queue) > 0 {
		r := s.queue[0]
		s.queue = s.queue[1:]
		return r
	}
	return s.answer(req)
}

func writeError(w http.ResponseWriter, r Reply) {
	if r.RetryAfter != "" {
		w.Header().Set("Retry-After", r.RetryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(r.Status)
	code := r.Code
	if code == "" {
		code = "server_error"
	}
	fmt.Fprintf(w, `{"error":{"message":"fake error %d","type":"%s","code":"%s"}}`, r.Status, code, code)
}

func (s *Server) chat(w http.ResponseWriter, req *http.Request) {
	var cr openai.ChatCompletionRequest
	if err := json.NewDecoder(req.Body).Decode(&cr); err != nil {
		writeError(w, Reply{Status: http.StatusBadRequest, Code: "invalid_request"})
		return
	}
	r := s.next(cr)
	if r.Hang {
		<-req.Context().Done()
		s.mu.Lock()
		s.canceled++
		s.mu.Unlock()
		return
	}
	if r.Status != 0 && r.Status != http.StatusOK {
		writeError(w, r)
		return
	}
	if !cr.Stream {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(openai.ChatCompletionResponse{
			ID: "fake", Object: "chat.completion", Model: cr.Model,
			Choices: []openai.ChatCompletionChoice{{
				Message:      openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: r.Text},
				FinishReason: openai.FinishReasonStop,
			}},
			Usage: openai.Usage{PromptTokens: promptRunes(cr) / 2, CompletionTokens: len([]rune(r.Text)) / 2},
		})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	flusher := w.(http.Flusher)
	size := r.ChunkRunes
	if size <= 0 {
		size = 4
	}
	send := func(delta string, finish openai.FinishReason) {
		b, _ := json.Marshal(openai.ChatCompletionStreamResponse{
			ID: "fake", Object: "chat.completion.chunk", Model: cr.Model,
			Choices: []openai.ChatCompletionStreamChoice{{Delta: openai.ChatCompletionStreamChoiceDelta{Content: delta}, FinishReason: finish}},
		})
		fmt.Fprintf(w, "data: %s\n\n", b)
		flusher.Flush()
	}
	if r.ToolCall != "" {
		b, _ := json.Marshal(openai.ChatCompletionStreamResponse{
			ID: "fake", Object: "chat.completion.chunk", Model: cr.Model,
			Choices: []openai.ChatCompletionStreamChoice{{Delta: openai.ChatCompletionStreamChoiceDelta{ToolCalls: []openai.ToolCall{{
				ID: "call_1", Type: openai.ToolTypeFunction, Function: openai.FunctionCall{Name: r.ToolCall, Arguments: "{}"},
			}}}}},
		})
		fmt.Fprintf(w, "data: %s\n\n", b)
		send("", openai.FinishReasonToolCalls)
		fmt.Fprint(w, "data: [DONE]\n\n")
		flusher.Flush()
		return
	}
	runes := []rune(r.Text)
	for i, n := 0, 0; i < len(runes); i, n = i+size, n+1 {
		if r.BreakAfter > 0 && n == r.BreakAfter {
			// Drop the connection mid-stream.
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
				}
			}
			return
		}
		if r.ChunkDelay > 0 {
			select {
			case <-req.Context().Done():
				s.mu.Lock()
				s.canceled++
				s.mu.Unlock()
				return
			case <-time.After(r.ChunkDelay):
			}
		}
		send(string(runes[i:min(i+size, len(runes))]), "")
		if n == 0 && r.Gate != nil {
			select {
			case <-r.Gate:
			case <-req.Context().Done():
				return
			}
		}
	}
	if !r.NoFinishReason {
		send("", openai.FinishReasonStop)
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
	flusher.Flush()
}

func promptRunes(cr openai.ChatCompletionRequest) int {
	n := 0
	for _, m := range cr.Messages {
		n += len([]rune(m.Content))
	}
	return n
}

func (s *Server) embeddings(w http.ResponseWriter, req *http.Request) {
	var er struct {
		Input []string `json:"input"`
		Model string   `json:"model"`
	}
	if err := json.NewDecoder(req.Body).Decode(&er); err != nil {
		writeError(w, Reply{Status: http.StatusBadRequest, Code: "invalid_request"})
		return
	}
	s.mu.Lock()
	s.embedInputs = append(s.embedInputs, er.Input)
	var fault Reply
	if s.embedFault != nil {
		fault = s.embedFault()
	}
	s.mu.Unlock()
	if fault.Hang {
		<-req.Context().Done()
		return
	}
	if fault.Status != 0 && fault.Status != http.StatusOK {
		writeError(w, fault)
		return
	}
	type datum struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	resp := struct {
		Object string  `json:"object"`
		Data   []datum `json:"data"`
		Model  string  `json:"model"`
	}{Object: "list", Model: er.Model}
	for i, text := range er.Input {
		resp.Data = append(resp.Data, datum{Object: "embedding", Index: i, Embedding: Vector(text, s.dims)})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

// Vector embeds text as normalized hashed character bigrams: texts that
// share wording are close, which is what tests need of a model.
func Vector(text string, dims int) []float32 {
	v := make([]float32, dims)
	rs := []rune(strings.ToLower(text))
	for j := 0; j+1 < len(rs); j++ {
		h := fnv.New32a()
		h.Write([]byte(string(rs[j : j+2])))
		v[h.Sum32()%uint32(dims)]++
	}
	var norm float64
	for _, x := range v {
		norm += float64(x * x)
	}
	if norm == 0 {
		v[0], norm = 1, 1
	}
	for k := range v {
		v[k] /= float32(math.Sqrt(norm))
	}
	return v
}
