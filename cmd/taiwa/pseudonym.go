package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/taiwa-coach/taiwa/assistant/anonymize"
)

// pseudonymKeyer returns the keyer of member pseudonyms (see
// anonymize.Keyer). The secret is TAIWA_PSEUDONYM_KEY (hex, at least 32
// digits), or else a key kept in the data directory and made on the first
// start. It is read from the environment only: secrets do not belong in
// flags. Losing it does not lose history: people masked afterwards get new
// placeholder numbers, and members' name forms must be typed again.
func pseudonymKeyer(getenv func(string) string, dataDir string) (*anonymize.Keyer, error) {
	if v := strings.TrimSpace(getenv("TAIWA_PSEUDONYM_KEY")); v != "" {
		b, err := hex.DecodeString(v)
		if err != nil || len(b) < 16 {
			return nil, usagef("TAIWA_PSEUDONYM_KEY: want at least 32 hex digits (e.g. openssl rand -hex 32)")
		}
		return anonymize.NewKeyer(b)
	}
	path := filepath.Join(dataDir, "pseudonym.key")
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		b = []byte(hex.EncodeToString(randomBytes(32)) + "\n")
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("pseudonym key: %w", err)
		}
		// O_EXCL: two processes starting at once keep the first key.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			_, err = f.Write(b)
			err = errors.Join(err, f.Close())
		} else if errors.Is(err, fs.ErrExist) {
			b, err = os.ReadFile(path)
		}
		if err != nil {
			return nil, fmt.Errorf("pseudonym key: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("pseudonym key: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("pseudonym key %s: not a hex key of 16 bytes or more", path)
	}
	return anonymize.NewKeyer(key)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand)
	return b
}
