package knowledge

import (
	"os"
	"testing"
	"unicode/utf8"
)

func benchInput(b *testing.B) string {
	data, err := os.ReadFile("starter/ja/listening-not-silent-nodding.md")
	if err != nil {
		b.Fatal(err)
	}
	return string(data)
}

// BenchmarkChunk reports chunking throughput in characters per second
// (b.SetBytes counts bytes; runes are reported too).
func BenchmarkChunk(b *testing.B) {
	in := benchInput(b)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		ChunkMarkdown(in, DefaultChunkOptions)
	}
	b.ReportMetric(float64(utf8.RuneCountInString(in))*float64(b.N)/b.Elapsed().Seconds(), "runes/s")
}

// BenchmarkTerms reports Japanese analysis (kagome, IPA dictionary)
// throughput.
func BenchmarkTerms(b *testing.B) {
	a, err := NewAnalyzer()
	if err != nil {
		b.Fatal(err)
	}
	in := benchInput(b)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		a.Terms(in)
	}
	b.ReportMetric(float64(utf8.RuneCountInString(in))*float64(b.N)/b.Elapsed().Seconds(), "runes/s")
}
